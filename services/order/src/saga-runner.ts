// The orchestrator's I/O: turns the saga's decisions into order events, commands on
// the bus (through the outbox, in the same transaction) and deadlines; hears replies;
// and, on a timer, treats silent steps as failed. All of its state is in the database,
// so a restarted process simply carries on.
import type { Bus, Envelope, Logger, Tx } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { deadlineSweeper } from './deadlines.ts';
import type { Order } from './domain/order.ts';
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
import { ANSWER_TYPES, type AnswerData, answerOf, commandFor } from './domain/steps.ts';
import { CancelTooLate } from './errors.ts';
import { publishOrderFacts } from './facts.ts';
import { appendEvents, loadOrder, lockSaga, saveSaga } from './store.ts';

type OrderTx = Tx<typeof eventSchemas>;

export const SAGA_GROUP = 'order-saga';

export interface SagaOptions {
  stepTimeoutMs: number;
  reservationTtlMs: number;
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
      const command = commandFor(decision.send, {
        order: after,
        reason: decision.saga.outcome?.reason ?? 'compensation',
        reservationExpiresAt: new Date(Date.now() + options.reservationTtlMs).toISOString(),
      });
      sentId = (await tx.send({ ...command, subject: order.id, replyTo: SAGA_GROUP })).id;
    }
    const next = nextAwaiting(awaiting, decision, sentId);
    await saveSaga(tx, order.id, order.sagaMode, decision.saga, next, deadlineOf(decision));
    await publishOrderFacts(tx, after, decision.events);
    if (decision.send)
      log.debug({ orderId: order.id, step: decision.send, phase: decision.saga.phase }, 'saga moved');
  }

  async function onReply(event: Envelope, tx: OrderTx): Promise<void> {
    const answer = answerOf(event.type, event.data as AnswerData, new Date());
    const orderId = event.subject;
    if (!answer || !orderId) return;
    const saga = await lockSaga(tx, orderId);
    if (!saga || !answersAwaited(saga.awaiting, event.causationid)) {
      // A reply to a command the saga has stopped waiting for (it timed out and moved on,
      // or it is a duplicate): the compensation already sent covers it.
      log.info({ orderId, type: event.type }, 'late or unexpected reply ignored');
      return;
    }
    const order = await loadOrder(tx, orderId);
    if (!order || saga.state.step !== answer.step) return;
    const decision =
      answer.said === 'done'
        ? stepSucceeded(saga.state, answer.step, answer.detail)
        : answer.said === 'waiting'
          ? stepWaiting(saga.state, answer.step, answer.until)
          : stepFailed(saga.state, answer.step, answer.reason);
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
      await bus.subscribe(SAGA_GROUP, ANSWER_TYPES, (event, { tx }) => onReply(event, tx));
      deadlines.start();
    },
    stop: () => deadlines.stop(),
  };
}
