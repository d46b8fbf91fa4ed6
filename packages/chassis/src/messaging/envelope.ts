import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { currentCorrelationId } from '../context.ts';

/**
 * A message on the bus: a CloudEvents 1.0 structured event, plus extensions that
 * carry the trace (`traceparent`, `tracestate`), the correlation id, and for
 * commands and replies who asked (`replyto`) and what caused them (`causationid`).
 */
export const Envelope = Type.Object({
  specversion: Type.Literal('1.0'),
  id: Type.String({ minLength: 1 }),
  source: Type.String({ minLength: 1 }),
  type: Type.String({ minLength: 1 }),
  time: Type.String(),
  subject: Type.Optional(Type.String()),
  datacontenttype: Type.Literal('application/json'),
  data: Type.Unknown(),
  traceparent: Type.Optional(Type.String()),
  tracestate: Type.Optional(Type.String()),
  correlationid: Type.Optional(Type.String()),
  causationid: Type.Optional(Type.String()),
  replyto: Type.Optional(Type.String()),
});
export type Envelope = Static<typeof Envelope>;

export interface OutgoingMessage {
  type: string;
  data: unknown;
  /** What the event is about, e.g. the product id: consumers order and dedupe by it. */
  subject?: string;
  /** For commands: the group that should receive the reply. */
  replyTo?: string;
  /** For replies and follow-ups: the id of the message that caused this one. */
  causationId?: string;
  /** Overrides the current request's correlation id (replies keep the command's). */
  correlationId?: string;
}

/** Wraps a message for the bus, carrying the current trace and correlation id with it. */
export function createEnvelope(source: string, message: OutgoingMessage): Envelope {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const correlationId = message.correlationId ?? currentCorrelationId();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source,
    type: message.type,
    time: new Date().toISOString(),
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
    datacontenttype: 'application/json',
    data: message.data,
    ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
    ...(correlationId ? { correlationid: correlationId } : {}),
    ...(message.causationId ? { causationid: message.causationId } : {}),
    ...(message.replyTo ? { replyto: message.replyTo } : {}),
  };
}

/** The envelope if `value` is one, else the reason it is not. */
export function parseEnvelope(value: unknown): { envelope: Envelope } | { invalid: string } {
  if (Value.Check(Envelope, value)) return { envelope: value };
  const first = Value.Errors(Envelope, value)[0];
  return {
    invalid: `not a CloudEvents envelope: ${first ? `${first.instancePath || '/'} ${first.message}` : 'unknown'}`,
  };
}
