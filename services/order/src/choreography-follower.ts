// Choreography's I/O (SAGA_MODE=choreography): hears the participants' facts and
// commits what they mean for the order through its doorway (domain/choreography.ts
// decides, commit.ts records and tells the others), and on a timer gives up on orders
// that stopped moving before the pivot. Its state is beside the order's events, so a
// restarted process simply carries on.
import type { Bus, Envelope, Logger } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { type BatchOfMoves, commit, movesInBatches, type NewOrder, type OrderTx } from './commit.ts';
import { deadlineSweeper } from './deadlines.ts';
import {
  type Choreography,
  cancelAsked,
  deadlinePassed,
  type FollowDecision,
  factHeard,
  factOf,
  startFollowing,
} from './domain/choreography.ts';
import { dueIn } from './domain/decision.ts';
import type { Order } from './domain/order.ts';
import { ANSWER_TYPES, type AnswerData, answerOf } from './domain/steps.ts';
import { CancelTooLate } from './errors.ts';
import { batchHolds, lockFollowing, lockFollowings, NOTHING_AWAITED } from './holds.ts';
import type { SagaRunner } from './saga-runner.ts';

export const FOLLOWER_GROUP = 'order-choreography';

export function choreographyFollower(
  bus: Bus<typeof eventSchemas>,
  log: Logger,
  options: { stepTimeoutMs: number },
): SagaRunner {
  const holds = batchHolds(lockFollowings, lockFollowing);

  async function apply(
    tx: OrderTx,
    order: Order | NewOrder,
    decision: FollowDecision,
    batch?: BatchOfMoves<Choreography>,
  ): Promise<Order> {
    const after = await commit(
      tx,
      order,
      {
        events: decision.events,
        saga: {
          mode: 'choreography',
          state: decision.state,
          dueInMs: dueIn(decision.deadline, options.stepTimeoutMs, Date.now()),
        },
        announce: decision.announce,
      },
      batch,
    );
    batch?.moved({ order: after, state: decision.state, awaiting: NOTHING_AWAITED });
    return after;
  }

  /** A participant's fact; in a `batch`, its order's move is written with the batch's. */
  async function onFact(event: Envelope, tx: OrderTx, batch?: BatchOfMoves<Choreography>): Promise<void> {
    const answer = answerOf(event.type, event.data as AnswerData, new Date());
    const orderId = event.subject;
    if (!answer || !orderId) return;
    const held = batch
      ? await batch.hold(orderId, () => holds.hold(tx, orderId))
      : await holds.hold(tx, orderId);
    if (!held) {
      log.info({ orderId, type: event.type }, 'fact about an order not followed here ignored');
      return;
    }
    await apply(tx, held.order, factHeard(held.state, factOf(answer)), batch);
  }

  const deadlines = deadlineSweeper(bus, log, {
    mode: 'choreography',
    stepTimeoutMs: options.stepTimeoutMs,
    async overdue(tx, orderId) {
      const held = await lockFollowing(tx, orderId);
      if (!held) return;
      log.warn({ orderId, status: held.order.status }, 'choreographed order stopped moving: giving up');
      await apply(tx, held.order, deadlinePassed(held.state));
    },
  });

  return {
    begin(tx, orderId, placed) {
      const start = startFollowing();
      return apply(
        tx,
        { id: orderId },
        { ...start, events: [{ type: 'OrderPlaced', data: placed }, ...start.events] },
      );
    },
    cancel: (orderId, reason) =>
      bus.transaction(async (tx) => {
        const held = await lockFollowing(tx, orderId);
        if (!held) throw new Error(`order ${orderId} is not followed by choreography`);
        const decision = cancelAsked(held.state, reason);
        if (decision === 'too-late') throw new CancelTooLate(`Order ${orderId} is ${held.order.status}`);
        return apply(tx, held.order, decision);
      }),
    async run() {
      // Every effect is in the transaction: facts that arrive together may share one,
      // their orders held first, in one statement.
      await bus.subscribe(
        FOLLOWER_GROUP,
        ANSWER_TYPES,
        (event, { tx }) => onFact(event, tx),
        movesInBatches(holds.lockBatch, onFact),
      );
      deadlines.start();
    },
    stop: () => deadlines.stop(),
  };
}
