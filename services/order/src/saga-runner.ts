// The orchestrator's I/O: turns the saga's decisions into order events, commands on
// the bus (through the outbox, in the same transaction) and deadlines; hears replies;
// and, on a timer, treats silent steps as failed. All of its state is in the database,
// so a restarted process simply carries on.
import type { Bus, Envelope, Logger, Tx } from '@platform/chassis';
import type { EventType, eventSchemas } from '@platform/contracts';
import { deadlineSweeper } from './deadlines.ts';
import type { Order, Step } from './domain/order.ts';
import {
  type Awaiting,
  answersAwaited,
  cancelRequested,
  type Decision,
  nextAwaiting,
  startSaga,
  stepFailed,
  stepSucceeded,
  stepTimedOut,
  stepWaiting,
} from './domain/saga.ts';
import { CancelTooLate } from './errors.ts';
import { publishOrderFacts } from './facts.ts';
import { appendEvents, loadOrder, lockSaga, saveSaga } from './store.ts';

type OrderTx = Tx<typeof eventSchemas>;

export const SAGA_GROUP = 'order-saga';

type Said = 'done' | 'failed' | 'waiting';

/** Which reply answers which step, and what it says: the step happened, failed, or waits in line. */
const REPLIES: Partial<Record<EventType, { step: Step; said: Said }>> = {
  'inventory.stock.reserved': { step: 'reserve-stock', said: 'done' },
  'inventory.stock.reservation-failed': { step: 'reserve-stock', said: 'failed' },
  'inventory.stock.waiting': { step: 'reserve-stock', said: 'waiting' },
  'payment.authorized': { step: 'authorize-payment', said: 'done' },
  'payment.failed': { step: 'authorize-payment', said: 'failed' },
  'shipping.scheduled': { step: 'schedule-shipment', said: 'done' },
  'shipping.failed': { step: 'schedule-shipment', said: 'failed' },
  'payment.captured': { step: 'capture-payment', said: 'done' },
  'inventory.stock.committed': { step: 'commit-stock', said: 'done' },
  'inventory.stock.released': { step: 'release-stock', said: 'done' },
  'payment.voided': { step: 'cancel-payment', said: 'done' },
  'payment.refunded': { step: 'cancel-payment', said: 'done' },
  'shipping.cancelled': { step: 'cancel-shipment', said: 'done' },
  'shipping.cancel-refused': { step: 'cancel-shipment', said: 'failed' },
};
export const REPLY_TYPES = Object.keys(REPLIES) as EventType[];

export interface SagaOptions {
  stepTimeoutMs: number;
  reservationTtlMs: number;
}

function command(step: Step, order: Order, reason: string, options: SagaOptions) {
  const orderId = order.id;
  const base = { subject: orderId, replyTo: SAGA_GROUP };
  switch (step) {
    case 'reserve-stock':
      return {
        ...base,
        type: 'inventory.reserve-stock' as const,
        data: {
          orderId,
          lines: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
          expiresAt: new Date(Date.now() + options.reservationTtlMs).toISOString(),
        },
      };
    case 'authorize-payment':
      return {
        ...base,
        type: 'payment.authorize' as const,
        data: {
          orderId,
          userId: order.userId,
          paymentMethodId: order.paymentMethodId,
          amount: { amount: order.totals.total, currency: order.totals.currency },
        },
      };
    case 'schedule-shipment':
      return {
        ...base,
        type: 'shipping.schedule-shipment' as const,
        data: {
          orderId,
          userId: order.userId,
          address: order.shippingAddress,
          lines: order.items.map(({ productId, quantity, weightGrams }) => ({
            productId,
            quantity,
            weightGrams,
          })),
        },
      };
    case 'capture-payment':
      return { ...base, type: 'payment.capture' as const, data: { orderId } };
    case 'commit-stock':
      return { ...base, type: 'inventory.commit-stock' as const, data: { orderId } };
    case 'release-stock':
      return { ...base, type: 'inventory.release-stock' as const, data: { orderId, reason } };
    case 'cancel-payment':
      return { ...base, type: 'payment.cancel' as const, data: { orderId, reason } };
    case 'cancel-shipment':
      return { ...base, type: 'shipping.cancel-shipment' as const, data: { orderId, reason } };
  }
}

export interface SagaRunner {
  /** Starts the saga of a just-placed order, in the caller's transaction. */
  start(tx: OrderTx, order: Order): Promise<void>;
  /** A customer's cancel; rejects with CancelTooLate once the parcel has left. */
  cancel(orderId: string, reason: string): Promise<Order>;
  /** Begins hearing replies and watching deadlines. */
  run(): Promise<void>;
  stop(): Promise<void>;
}

export function sagaRunner(bus: Bus<typeof eventSchemas>, log: Logger, options: SagaOptions): SagaRunner {
  /** When the awaited answer is overdue: a step's timeout, or past when a participant promised it. */
  function deadlineOf(decision: Decision): number | null {
    if (decision.wait)
      return Math.max(0, Date.parse(decision.wait.until) - Date.now()) + options.stepTimeoutMs;
    return decision.send ? options.stepTimeoutMs : null;
  }

  async function apply(tx: OrderTx, order: Order, decision: Decision, awaiting: Awaiting) {
    const after = await appendEvents(tx, order.id, order, decision.events);
    let sentId: string | null = null;
    if (decision.send) {
      const reason = decision.saga.outcome?.reason ?? 'compensation';
      sentId = (await tx.send(command(decision.send, after, reason, options))).id;
    }
    const next = nextAwaiting(awaiting, decision, sentId);
    await saveSaga(tx, order.id, order.sagaMode, decision.saga, next, deadlineOf(decision));
    await publishOrderFacts(tx, after, decision.events);
    if (decision.send)
      log.debug({ orderId: order.id, step: decision.send, phase: decision.saga.phase }, 'saga moved');
  }

  async function onReply(event: Envelope, tx: OrderTx): Promise<void> {
    const reply = REPLIES[event.type as EventType];
    const orderId = event.subject;
    if (!reply || !orderId) return;
    const saga = await lockSaga(tx, orderId);
    if (!saga || !answersAwaited(saga.awaiting, event.causationid)) {
      // A reply to a command the saga has stopped waiting for (it timed out and moved on,
      // or it is a duplicate): the compensation already sent covers it.
      log.info({ orderId, type: event.type }, 'late or unexpected reply ignored');
      return;
    }
    const order = await loadOrder(tx, orderId);
    if (!order || saga.state.step !== reply.step) return;
    const data = event.data as { reason?: string; code?: string; trackingNumber?: string; until?: string };
    const decision =
      reply.said === 'done'
        ? stepSucceeded(saga.state, reply.step, data.trackingNumber)
        : reply.said === 'waiting'
          ? stepWaiting(saga.state, reply.step, data.until ?? new Date().toISOString())
          : stepFailed(saga.state, reply.step, data.code ?? data.reason ?? 'failed');
    await apply(tx, order, decision, saga.awaiting);
  }

  const deadlines = deadlineSweeper(bus, log, {
    mode: 'orchestration',
    stepTimeoutMs: options.stepTimeoutMs,
    async overdue(tx, orderId) {
      const saga = await lockSaga(tx, orderId);
      const order = await loadOrder(tx, orderId);
      if (!saga || !order) return;
      log.warn({ orderId, step: saga.state.step }, 'saga step timed out');
      await apply(tx, order, stepTimedOut(saga.state), saga.awaiting);
    },
  });

  return {
    async start(tx, order) {
      await apply(tx, order, startSaga(), { command: null, earlier: [] });
    },
    cancel: (orderId, reason) =>
      bus.transaction(async (tx) => {
        const saga = await lockSaga(tx, orderId);
        const order = await loadOrder(tx, orderId);
        if (!saga || !order) throw new Error(`order ${orderId} has no saga`);
        const decision = cancelRequested(saga.state, reason);
        if (decision === 'too-late') throw new CancelTooLate(`Order ${orderId} is ${order.status}`);
        // A cancel waiting on an in-flight step keeps that step's command and deadline.
        if (decision.send === null && saga.awaiting.command) {
          const after = await appendEvents(tx, orderId, order, decision.events);
          await tx.query('UPDATE sagas SET state = $2, updated_at = now() WHERE order_id = $1', [
            orderId,
            decision.saga,
          ]);
          return after;
        }
        await apply(tx, order, decision, saga.awaiting);
        return (await loadOrder(tx, orderId)) ?? order;
      }),
    async run() {
      await bus.subscribe(SAGA_GROUP, REPLY_TYPES, (event, { tx }) => onReply(event, tx));
      deadlines.start();
    },
    stop: () => deadlines.stop(),
  };
}
