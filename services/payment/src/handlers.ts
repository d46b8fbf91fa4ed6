import type { Bus, Envelope, EventHandler, HandlerContext } from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import { callStore } from './calls.ts';
import { type Audience, announce, type Events, type Outcome, type PaymentTx } from './messages.ts';
import { authorizePayment, cancelPayment, capturePayment, type Step, setHoldToLapse } from './operations.ts';
import { heldFromBegin, lockOrdersFirst } from './order-locks.ts';
import type { CallRunner } from './runner.ts';

// The two saga adapters. Both call the same operations; they differ only in what
// starts an operation (a command, or another service's fact) and who hears the outcome
// (the command's sender, or whoever listens). An operation that needs the card
// processor records the call in the handler's transaction, with the inbox row; the call
// is made once that has committed, outside any transaction, and its outcome is
// announced when it settles (decision 022).

/** The event's data; the bus has already checked it against its type's contract. */
function dataOf<T extends EventType>(event: Envelope, _type: T): EventData<T> {
  return event.data as EventData<T>;
}

/** Announces the outcome now, or records the call and makes it after the commit. */
async function carryOut(
  step: Step<Outcome>,
  audience: Audience,
  context: HandlerContext<PaymentTx>,
  runner: CallRunner,
): Promise<void> {
  if ('outcome' in step) return announce(context.tx, audience, step.outcome);
  const call = await callStore(context.tx).record(step.call, audience, runner.leaseMs);
  context.afterCommit(() => runner.start(call));
}

/** The order each of payment's events is about: every command and fact it hears names one. */
const orderIdsOf = (events: Envelope[]) =>
  events.map((event) => (event.data as { orderId?: unknown }).orderId).filter((id) => typeof id === 'string');

/**
 * How both groups hear their events: those that arrive together are handled in one
 * transaction (the processor is called only after it commits, so a batch that fails
 * and goes one by one repeats no call), and each transaction takes its orders' locks
 * in BEGIN's round trip, in id order, so an operation finds its order locked already.
 */
const LOCKED_IN_BATCHES = {
  maxBatch: 16,
  beginWith: (events: Envelope[]) => lockOrdersFirst(orderIdsOf(events)),
};
const orderLocked =
  (handler: EventHandler<PaymentTx>): EventHandler<PaymentTx> =>
  (event, context) => {
    heldFromBegin(context.tx, orderIdsOf([event]));
    return handler(event, context);
  };

/** Orchestration: the order saga's commands, each answered with a reply (a repeat too). */
export async function handleCommands(bus: Bus<Events>, runner: CallRunner): Promise<void> {
  await bus.subscribe(
    'payment-commands',
    ['payment.authorize', 'payment.capture', 'payment.cancel'],
    orderLocked(async (command, context) => {
      const { tx } = context;
      let step: Step<Outcome>;
      if (command.type === 'payment.authorize') {
        step = await authorizePayment(tx, dataOf(command, 'payment.authorize'));
      } else if (command.type === 'payment.capture') {
        step = await capturePayment(tx, dataOf(command, 'payment.capture').orderId);
      } else {
        const { orderId, reason } = dataOf(command, 'payment.cancel');
        step = await cancelPayment(tx, orderId, reason);
      }
      await carryOut(step, { replyTo: command }, context, runner);
    }),
    LOCKED_IN_BATCHES,
  );
}

const CANCELLING_FACTS = [
  'inventory.stock.reservation-failed',
  'shipping.failed',
  // The order's timeout and its customer's cancel reach payment through shipping,
  // which alone can refuse them (the parcel left): never refund a travelling parcel.
  // A timeout heard here only sets the hold to lapse, should shipping be silent.
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

/** The operation a fact starts; `order.timed-out` is handled apart, as it answers nothing. */
async function stepFor(tx: PaymentTx, event: Envelope): Promise<Step<Outcome>> {
  if (event.type === 'order.created') {
    const order = dataOf(event, 'order.created');
    return authorizePayment(tx, {
      orderId: order.orderId,
      userId: order.userId,
      paymentMethodId: order.paymentMethodId,
      amount: { amount: order.totals.total, currency: order.totals.currency },
    });
  }
  if (event.type === 'shipping.scheduled') {
    return capturePayment(tx, dataOf(event, 'shipping.scheduled').orderId);
  }
  // Every cancelling fact names the order it is about.
  const { orderId } = event.data as { orderId: string };
  return cancelPayment(tx, orderId, cancelReason(event));
}

/**
 * Choreography: other services' facts start the operations, and the outcome is
 * published as a fact. A repeated outcome was already published, so it is not again.
 * An order that timed out has its hold lapse after `holdGraceMs` (decision 024), unless
 * shipping's `shipping.cancelled` voids it first; `startHoldLapses` voids the lapsed.
 */
export async function handleFacts(bus: Bus<Events>, runner: CallRunner, holdGraceMs: number): Promise<void> {
  await bus.subscribe(
    'payment-choreography',
    ['order.created', 'shipping.scheduled', 'order.timed-out', ...CANCELLING_FACTS],
    orderLocked(async (event, context) => {
      // The fact carries the correlation id of the one that caused it, as when published here.
      const correlationId = event.correlationid ?? event.id;
      if (event.type === 'order.timed-out') {
        const { orderId } = dataOf(event, 'order.timed-out');
        return setHoldToLapse(context.tx, orderId, holdGraceMs, correlationId);
      }
      await carryOut(await stepFor(context.tx, event), { correlationId }, context, runner);
    }),
    LOCKED_IN_BATCHES,
  );
}
