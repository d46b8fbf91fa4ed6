import type { Envelope, MessageOf, Tx } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import type { AuthorizeOutcome, CancelOutcome, CaptureOutcome } from './domain/payment.ts';

// What payment says about its outcomes, and to whom: a reply to the command that
// asked (orchestration), or a fact for whoever listens (choreography, refunds).

export type Events = typeof eventSchemas;
export type PaymentTx = Tx<Events>;
export type Outcome = AuthorizeOutcome | CaptureOutcome | CancelOutcome;
type Message = MessageOf<Events>;

/** Who hears an outcome: the command's sender (a repeat is answered too), or everyone (a repeat is not news). */
export type Audience = { replyTo: Envelope } | { correlationId: string | undefined };

/** The payment.* fact that states an outcome. */
export function messageFor(outcome: Outcome): Message {
  const { orderId, paymentId } = outcome;
  switch (outcome.kind) {
    case 'authorized':
      return {
        type: 'payment.authorized',
        subject: orderId,
        data: { orderId, paymentId, amount: outcome.amount },
      };
    case 'captured':
      return {
        type: 'payment.captured',
        subject: orderId,
        data: { orderId, paymentId, amount: outcome.amount },
      };
    case 'failed':
      return {
        type: 'payment.failed',
        subject: orderId,
        data: { orderId, paymentId, code: outcome.code, reason: outcome.reason },
      };
    case 'voided':
      return { type: 'payment.voided', subject: orderId, data: { orderId, paymentId } };
    case 'refunded':
      return {
        type: 'payment.refunded',
        subject: orderId,
        data: {
          orderId,
          paymentId,
          refundId: outcome.refundId,
          amount: outcome.amount,
          refundedTotal: outcome.refundedTotal,
        },
      };
  }
}

/** Tells `audience` the outcome, in `tx`: it leaves only if the outcome's records commit. */
export async function announce(tx: PaymentTx, audience: Audience, outcome: Outcome): Promise<void> {
  if ('replyTo' in audience) {
    await tx.reply(audience.replyTo, messageFor(outcome));
    return;
  }
  if (outcome.repeated) return;
  const { correlationId } = audience;
  await tx.publish({ ...messageFor(outcome), ...(correlationId ? { correlationId } : {}) });
}
