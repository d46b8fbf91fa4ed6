import type { Bus, Envelope, MessageOf } from '@platform/chassis';
import type { EventData, EventType, eventSchemas } from '@platform/contracts';
import type { AuthorizeOutcome, CancelOutcome, CaptureOutcome } from './domain/payment.ts';
import type { PaymentOperations } from './operations.ts';

// The two saga adapters. Both call the same operations; they differ only in what
// starts an operation (a command, or another service's fact) and how the outcome
// leaves (a reply to the saga, or a fact for whoever listens).

type Events = typeof eventSchemas;
type Message = MessageOf<Events>;
type Outcome = AuthorizeOutcome | CaptureOutcome | CancelOutcome;

/** The event's data; the bus has already checked it against its type's contract. */
function dataOf<T extends EventType>(event: Envelope, _type: T): EventData<T> {
  return event.data as EventData<T>;
}

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

/** Orchestration: the order saga's commands, each answered with a reply (a repeat too). */
export async function handleCommands(bus: Bus<Events>, operations: PaymentOperations): Promise<void> {
  await bus.subscribe(
    'payment-commands',
    ['payment.authorize', 'payment.capture', 'payment.cancel'],
    async (command, { tx }) => {
      let outcome: Outcome;
      if (command.type === 'payment.authorize') {
        outcome = await operations.authorizePayment(tx, dataOf(command, 'payment.authorize'));
      } else if (command.type === 'payment.capture') {
        outcome = await operations.capturePayment(tx, dataOf(command, 'payment.capture').orderId);
      } else {
        const { orderId, reason } = dataOf(command, 'payment.cancel');
        outcome = await operations.cancelPayment(tx, orderId, reason);
      }
      await tx.reply(command, messageFor(outcome));
    },
  );
}

const CANCELLING_FACTS = [
  'inventory.stock.reservation-failed',
  'shipping.failed',
  // The order's timeout and its customer's cancel reach payment through shipping,
  // which alone can refuse them (the parcel left): never refund a travelling parcel.
  'shipping.cancelled',
] as const;

/** Why a fact cancels the order's payment, in words for the refund's reason. */
function cancelReason(event: Envelope): string {
  switch (event.type) {
    case 'inventory.stock.reservation-failed':
      return `stock reservation failed: ${dataOf(event, 'inventory.stock.reservation-failed').reason}`;
    case 'shipping.failed':
      return `shipping failed: ${dataOf(event, 'shipping.failed').reason}`;
    default:
      return 'shipment cancelled';
  }
}

/**
 * Choreography: other services' facts start the operations, and the outcome is
 * published as a fact. A repeated outcome was already published, so it is not again.
 */
export async function handleFacts(bus: Bus<Events>, operations: PaymentOperations): Promise<void> {
  await bus.subscribe(
    'payment-choreography',
    ['order.created', 'shipping.scheduled', ...CANCELLING_FACTS],
    async (event, { tx }) => {
      let outcome: Outcome;
      if (event.type === 'order.created') {
        const order = dataOf(event, 'order.created');
        outcome = await operations.authorizePayment(tx, {
          orderId: order.orderId,
          userId: order.userId,
          paymentMethodId: order.paymentMethodId,
          amount: { amount: order.totals.total, currency: order.totals.currency },
        });
      } else if (event.type === 'shipping.scheduled') {
        outcome = await operations.capturePayment(tx, dataOf(event, 'shipping.scheduled').orderId);
      } else {
        // Every cancelling fact names the order it is about.
        const { orderId } = event.data as { orderId: string };
        outcome = await operations.cancelPayment(tx, orderId, cancelReason(event));
      }
      if (!outcome.repeated) await tx.publish(messageFor(outcome));
    },
  );
}
