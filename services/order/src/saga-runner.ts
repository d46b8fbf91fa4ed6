// The orchestrator's I/O: sends the command each of the saga's decisions asks for
// (through the outbox, in the same transaction), commits the decision through the
// order's doorway, hears the participants' answers, and, on a timer, treats silent
// steps as failed. All of its state is in the database, so a restarted process simply
// carries on.
import type { Bus, Envelope, Logger } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { type BatchOfMoves, commit, movesInBatches, type NewOrder, type OrderTx } from './commit.ts';
import { deadlineSweeper } from './deadlines.ts';
import { dueIn } from './domain/decision.ts';
import type { Order, OrderPlacedData } from './domain/order.ts';
import {
  type Awaiting,
  answersAwaited,
  awaitedSteps,
  cancelRequested,
  type Decision,
  nextAwaiting,
  type SagaState,
  sagaDeadline,
  startSaga,
  stepFailed,
  stepSucceeded,
  stepTimedOut,
  stepWaiting,
} from './domain/saga.ts';
import { ANSWER_TYPES, type Answer, type AnswerData, answerOf, commandFor } from './domain/steps.ts';
import { CancelTooLate } from './errors.ts';
import { batchHolds, lockSaga, lockSagas, NOTHING_AWAITED } from './holds.ts';

export const SAGA_GROUP = 'order-saga';

export interface SagaOptions {
  stepTimeoutMs: number;
  reservationTtlMs: number;
}

export interface SagaRunner {
  /** Records a just-priced order with its saga started, in the caller's transaction. */
  begin(tx: OrderTx, orderId: string, placed: OrderPlacedData): Promise<Order>;
  /** A customer's cancel; rejects with CancelTooLate once the parcel has left. */
  cancel(orderId: string, reason: string): Promise<Order>;
  /** Begins hearing replies and watching deadlines. */
  run(): Promise<void>;
  stop(): Promise<void>;
}

/** The saga's decision on a participant's answer to the step it awaits. */
function decide(state: SagaState, answer: Answer): Decision {
  switch (answer.said) {
    case 'done':
      return stepSucceeded(state, answer.step, answer.detail);
    case 'waiting':
      return stepWaiting(state, answer.step, answer.until);
    case 'failed':
      return stepFailed(state, answer.step, answer.reason);
  }
}

export function sagaRunner(bus: Bus<typeof eventSchemas>, log: Logger, options: SagaOptions): SagaRunner {
  const holds = batchHolds(lockSagas, lockSaga);

  /**
   * Sends what `decision` asks of a participant, then commits it with what the saga now
   * awaits. `order` is the order before (one being placed: its id and placed data).
   */
  async function move(
    tx: OrderTx,
    order: Order | (NewOrder & OrderPlacedData),
    decision: Decision,
    awaiting: Awaiting,
    batch?: BatchOfMoves<SagaState>,
  ): Promise<Order> {
    const sent: string[] = [];
    const asking = {
      order,
      reason: decision.saga.outcome?.reason ?? 'compensation',
      reservationExpiresAt: new Date(Date.now() + options.reservationTtlMs).toISOString(),
    };
    for (const step of decision.send ? [decision.send, ...(decision.alongside ?? [])] : []) {
      sent.push((await tx.send({ ...commandFor(step, asking), subject: order.id, replyTo: SAGA_GROUP })).id);
      log.debug({ orderId: order.id, step, phase: decision.saga.phase }, 'saga moved');
    }
    const next = nextAwaiting(awaiting, decision, sent);
    const after = await commit(
      tx,
      order,
      {
        events: decision.events,
        saga: {
          mode: 'orchestration',
          state: decision.saga,
          awaiting: next,
          dueInMs: dueIn(sagaDeadline(decision), options.stepTimeoutMs, Date.now()),
        },
      },
      batch,
    );
    batch?.moved({ order: after, state: decision.saga, awaiting: next });
    return after;
  }

  /** An answer to a step; in a `batch`, its order's move is written with the batch's. */
  async function onReply(event: Envelope, tx: OrderTx, batch?: BatchOfMoves<SagaState>): Promise<void> {
    const answer = answerOf(event.type, event.data as AnswerData, new Date());
    const orderId = event.subject;
    if (!answer || !orderId) return;
    const held = batch
      ? await batch.hold(orderId, () => holds.hold(tx, orderId))
      : await holds.hold(tx, orderId);
    if (!held || !answersAwaited(held.awaiting, event.causationid)) {
      // A reply to a command the saga has stopped waiting for (it timed out and moved on,
      // or it is a duplicate): the compensation already sent covers it.
      log.info({ orderId, type: event.type }, 'late or unexpected reply ignored');
      return;
    }
    if (!awaitedSteps(held.state).includes(answer.step)) return;
    await move(tx, held.order, decide(held.state, answer), held.awaiting, batch);
  }

  const deadlines = deadlineSweeper(bus, log, {
    mode: 'orchestration',
    stepTimeoutMs: options.stepTimeoutMs,
    async overdue(tx, orderId) {
      const held = await lockSaga(tx, orderId);
      if (!held) return;
      log.warn({ orderId, step: held.state.step }, 'saga step timed out');
      await move(tx, held.order, stepTimedOut(held.state), held.awaiting);
    },
  });

  return {
    begin(tx, orderId, placed) {
      const start = startSaga();
      const opening = { ...start, events: [{ type: 'OrderPlaced' as const, data: placed }, ...start.events] };
      return move(tx, { id: orderId, ...placed }, opening, NOTHING_AWAITED);
    },
    cancel: (orderId, reason) =>
      bus.transaction(async (tx) => {
        const held = await lockSaga(tx, orderId);
        if (!held) throw new Error(`order ${orderId} has no saga`);
        const decision = cancelRequested(held.state, reason);
        if (decision === 'too-late') throw new CancelTooLate(`Order ${orderId} is ${held.order.status}`);
        return move(tx, held.order, decision, held.awaiting);
      }),
    async run() {
      // Every effect is in the transaction: answers that arrive together may share one,
      // their sagas held first, in one statement, and their moves written in one.
      await bus.subscribe(
        SAGA_GROUP,
        ANSWER_TYPES,
        (event, { tx }) => onReply(event, tx),
        movesInBatches(holds.lockBatch, onReply),
      );
      deadlines.start();
    },
    stop: () => deadlines.stop(),
  };
}
