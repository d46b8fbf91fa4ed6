import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { runWithCorrelationId } from '../context.ts';
import { literal, type Pool, type PoolClient, type TransactionScope, withTransaction } from '../db.ts';
import { ProblemError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { backoffDelay } from '../resilience/backoff.ts';
import { CORRELATION_ATTRIBUTE } from '../tracing.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { Delivery } from './driver.ts';
import { type Envelope, parseEnvelope } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';
import { type RetryPolicy, redeliveryPlan } from './retry.ts';

export interface HandlerContext<Tx> {
  /** The handler's transaction: its writes, its inbox row and anything it publishes commit together. */
  tx: Tx;
  attempt: number;
  /** Runs `callback` after the transaction commits (never if it rolls back): for pushing to live listeners. */
  afterCommit(callback: () => Promise<void> | void): void;
}

export type EventHandler<Tx> = (event: Envelope, context: HandlerContext<Tx>) => Promise<void>;

/** Several events, in the order they arrived, with one transaction; `attempt` is the most any of them had. */
export type BatchHandler<Tx> = (events: Envelope[], context: HandlerContext<Tx>) => Promise<void>;

export interface ConsumerDeps<Tx> {
  group: string;
  pool: Pool;
  handler: EventHandler<Tx>;
  /**
   * Runs first in a batch's transaction, with the batch's fresh events: a group whose
   * handlers lock rows that other events share takes those locks here, in one order,
   * so that two batches never hold them crosswise (a deadlock, and a second's wait).
   */
  lockBatch?: (tx: Tx, events: Envelope[]) => Promise<void>;
  /** A statement sent with BEGIN after the inbox row(s), naming the transaction's events: its locks. */
  beginWith?: (events: Envelope[]) => string;
  /** Handles a batch's fresh events in one call, instead of `handler` for each. */
  handleBatch?: BatchHandler<Tx>;
  /** Why the event's data breaks its contract, or undefined if it keeps it. */
  validate(envelope: Envelope): string | undefined;
  openTx(client: PoolClient): Tx;
  /** The last statement of a handler's transaction, sent with its COMMIT (writes what it published). */
  beforeCommit(tx: Tx, scope: TransactionScope): void;
  /** Called once a handler's transaction (`tx`) has committed. */
  committed(tx: Tx): void;
  retry: RetryPolicy;
  deadLetters: DeadLetterStore;
  metrics: BusMetrics;
  log: Logger;
}

const tracer = trace.getTracer('@platform/chassis/messaging');

/** Runs `work` as a consumer span that continues the producer's trace, with its correlation id. */
export function inEventContext<T>(envelope: Envelope, group: string, work: () => Promise<T>): Promise<T> {
  const parent = producerContext(envelope);
  const span = tracer.startSpan(
    `${envelope.type} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': group,
        'messaging.message.id': envelope.id,
        'messaging.destination.name': envelope.type,
        'cloudevents.event_type': envelope.type,
        ...(envelope.subject ? { 'cloudevents.event_subject': envelope.subject } : {}),
        [CORRELATION_ATTRIBUTE]: envelope.correlationid ?? envelope.id,
      },
    },
    parent,
  );
  return context.with(trace.setSpan(parent, span), () =>
    runWithCorrelationId(envelope.correlationid ?? envelope.id, () => ending(span, work)),
  );
}

/** `work`'s outcome; the span ends with it, marked as an error if it threw. */
async function ending<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** The producer's trace context an envelope carries. */
function producerContext(envelope: Envelope) {
  const carrier: Record<string, string> = {};
  if (envelope.traceparent) carrier.traceparent = envelope.traceparent;
  if (envelope.tracestate) carrier.tracestate = envelope.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * Runs `work` for several events at once as one consumer span linked to each
 * producer's span, per OpenTelemetry's messaging conventions for batches. Events of
 * several traces have no single parent: the span starts a trace of its own. Events all
 * of one trace (a checkout's answers arriving together) go on in it, under the first.
 */
export function inBatchContext<T>(envelopes: Envelope[], group: string, work: () => Promise<T>): Promise<T> {
  const producers = envelopes.map(producerContext);
  const linked = producers.map((producer) => trace.getSpanContext(producer));
  const links = linked.filter((context) => context !== undefined).map((context) => ({ context }));
  const oneTrace =
    links.length === envelopes.length && new Set(links.map(({ context }) => context.traceId)).size === 1;
  const parent = (oneTrace && producers[0]) || ROOT_CONTEXT;
  const span = tracer.startSpan(
    `${group} process`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': group,
        'messaging.batch.message_count': envelopes.length,
      },
    },
    parent,
  );
  return context.with(trace.setSpan(parent, span), () => ending(span, work));
}

/**
 * The statements a delivery's transaction begins with: its inbox row(s), then the
 * group's own (`beginWith`), all in BEGIN's round trip; the inbox's result stays first.
 */
export function withGroupStatement<Tx>(deps: ConsumerDeps<Tx>, inbox: string, events: Envelope[]): string {
  return deps.beginWith ? `${inbox}; ${deps.beginWith(events)}` : inbox;
}

/**
 * Applies `envelope` for `group` exactly once: the inbox row and the handler's
 * effects commit in one transaction, so a redelivery finds the row and does nothing.
 * Resolves 'duplicate' for such a redelivery.
 */
export function applyOnce<Tx>(
  deps: ConsumerDeps<Tx>,
  envelope: Envelope,
  attempt: number,
): Promise<'handled' | 'duplicate'> {
  return inEventContext(envelope, deps.group, async () => {
    const committed: Array<() => Promise<void> | void> = [];
    let tx: Tx | undefined;
    // The inbox row goes with BEGIN: one round trip for both.
    const inbox = `INSERT INTO inbox (group_name, event_id, type)
      VALUES (${literal(deps.group)}, ${literal(envelope.id)}, ${literal(envelope.type)}) ON CONFLICT DO NOTHING`;
    const outcome = await withTransaction(
      deps.pool,
      async (client, scope) => {
        if (scope.started?.rowCount === 0) return 'duplicate' as const;
        const afterCommit = (callback: () => Promise<void> | void) => void committed.push(callback);
        const opened = deps.openTx(client);
        tx = opened;
        await deps.handler(envelope, { tx: opened, attempt, afterCommit });
        deps.beforeCommit(opened, scope);
        return 'handled' as const;
      },
      { startWith: withGroupStatement(deps, inbox, [envelope]) },
    );
    if (tx) deps.committed(tx);
    for (const callback of committed) {
      // The effect is committed: a failing listener must not make the event look unhandled.
      await Promise.resolve()
        .then(callback)
        .catch((error: unknown) =>
          deps.log.warn({ err: error, eventId: envelope.id }, 'afterCommit callback failed'),
        );
    }
    return outcome;
  });
}

function describeBody(body: unknown): { eventId: string; type: string } {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return {
    eventId: typeof fields.id === 'string' ? fields.id : `unidentified-${Date.now()}`,
    type: typeof fields.type === 'string' ? fields.type : 'unknown',
  };
}

/**
 * How long to wait before trying again when the handler failed because something it
 * needs is unavailable (a 503 problem: an open circuit, a dependency down), or
 * undefined for any other failure. Such an event did not fail on its own: it waits
 * for the dependency (its Retry-After, else the backoff), however long that takes,
 * and is never dead-lettered for it.
 */
export function waitForDependency(error: unknown, attempt: number, policy: RetryPolicy): number | undefined {
  if (!(error instanceof ProblemError) || error.status !== 503) return undefined;
  const retryAfterMs = Number(error.headers['retry-after']) * 1000;
  return retryAfterMs > 0 ? Math.min(retryAfterMs, policy.maxDelayMs) : backoffDelay(attempt, policy);
}

/**
 * Handles one delivery: invalid messages go straight to dead letters; a handler
 * failure is retried with backoff until the last allowed attempt, then dead-lettered;
 * a failure because a dependency is unavailable waits for it (`waitForDependency`).
 */
export async function handleDelivery<Tx>(deps: ConsumerDeps<Tx>, delivery: Delivery): Promise<void> {
  const { group, metrics, log } = deps;
  const deadLetter = async (eventId: string, type: string, reason: string) => {
    await deps.deadLetters.record({
      group,
      eventId,
      type,
      message: delivery.body,
      reason,
      attempts: delivery.attempt,
    });
    metrics.deadLettered.inc({ type, group });
    log.error({ group, eventId, type, reason }, 'message moved to dead letters');
    await delivery.drop(reason);
  };

  const parsed = parseEnvelope(delivery.body);
  if ('invalid' in parsed) {
    const { eventId, type } = describeBody(delivery.body);
    return deadLetter(eventId, type, parsed.invalid);
  }
  const envelope = parsed.envelope;
  metrics.delivered.inc({ type: envelope.type, group });
  const broken = deps.validate(envelope);
  if (broken) return deadLetter(envelope.id, envelope.type, broken);

  try {
    const outcome = await applyOnce(deps, envelope, delivery.attempt);
    (outcome === 'handled' ? metrics.handled : metrics.duplicates).inc({ type: envelope.type, group });
    await delivery.ack();
  } catch (error) {
    const reason = (error as Error).message || String(error);
    const waitMs = waitForDependency(error, delivery.attempt, deps.retry);
    if (waitMs !== undefined) {
      metrics.retried.inc({ type: envelope.type, group });
      log.warn(
        { group, eventId: envelope.id, type: envelope.type, attempt: delivery.attempt, reason, waitMs },
        'a dependency is unavailable; the event waits for it',
      );
      await delivery.retry(waitMs, reason);
      return;
    }
    const plan = redeliveryPlan(delivery.attempt, deps.retry);
    if (plan.action === 'dead-letter') return deadLetter(envelope.id, envelope.type, reason);
    metrics.retried.inc({ type: envelope.type, group });
    log.warn(
      { group, eventId: envelope.id, type: envelope.type, attempt: delivery.attempt, reason },
      'handler failed; will retry',
    );
    await delivery.retry(plan.delayMs, reason);
  }
}
