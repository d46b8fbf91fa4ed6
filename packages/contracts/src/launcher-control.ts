import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

// The launcher's control channel: Node IPC between `npm start` and the console it
// starts (no other process has it). The console asks for a service to be scaled; the
// launcher answers each request, matched by its id, once the change is done or refused.

const RequestId = Type.String({ minLength: 1, maxLength: 64 });
const ServiceName = Type.String({ pattern: '^[a-z][a-z0-9-]*$', maxLength: 64 });

/** One instance more (+1) or fewer (-1) of a service. */
export const ScaleRequest = Type.Object({
  type: Type.Literal('scale'),
  id: RequestId,
  service: ServiceName,
  change: Type.Union([Type.Literal(1), Type.Literal(-1)]),
});
export type ScaleRequest = Static<typeof ScaleRequest>;

/** Done: which instance started (ready) or stopped, and how many the service runs now. */
export const ScaleDone = Type.Object({
  type: Type.Literal('scale-reply'),
  id: RequestId,
  ok: Type.Literal(true),
  service: ServiceName,
  instance: Type.String(),
  instances: Type.Integer({ minimum: 1 }),
  /** A started instance: how long it took to be ready. */
  readyMs: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ScaleDone = Static<typeof ScaleDone>;

/** Refused or failed, and why, in words for the operator. */
export const ScaleRefused = Type.Object({
  type: Type.Literal('scale-reply'),
  id: RequestId,
  ok: Type.Literal(false),
  reason: Type.String(),
});
export type ScaleRefused = Static<typeof ScaleRefused>;

export const ScaleReply = Type.Union([ScaleDone, ScaleRefused]);
export type ScaleReply = Static<typeof ScaleReply>;

export const isScaleRequest = (message: unknown): message is ScaleRequest =>
  Value.Check(ScaleRequest, message);
export const isScaleReply = (message: unknown): message is ScaleReply => Value.Check(ScaleReply, message);
