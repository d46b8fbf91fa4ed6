// Choreography's I/O (SAGA_MODE=choreography): hears the participants' facts, records
// what they mean for the order (domain/choreography.ts decides), publishes the order's
// own facts in the same transaction, and on a timer gives up on orders that stopped
// moving before the pivot. Its state is beside the order's events, so a restarted
// process simply carries on.
import type { Bus, Envelope, Logger, Tx } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { deadlineSweeper } from './deadlines.ts';
import {
  cancelAsked,
  deadlinePassed,
  type FollowDecision,
  factHeard,
  factOf,
  startFollowing,
} from './domain/choreography.ts';
import type { Order } from './domain/order.ts';
import { ANSWER_TYPES, type AnswerData, answerOf } from './domain/steps.ts';
import { CancelTooLate } from './errors.ts';
import { publishOrderFacts } from './facts.ts';
import type { SagaRunner } from './saga-runner.ts';
import { appendEvents, loadOrder, lockFollowing, saveFollowing } from './store.ts';

type OrderTx = Tx<typeof eventSchemas>;

export const FOLLOWER_GROUP = 'order-choreography';

export function choreographyFollower(
  bus: Bus<typeof eventSchemas>,
  log: Logger,
  options: { stepTimeoutMs: number },
): SagaRunner {
  async function apply(tx: OrderTx, order: Order, decision: FollowDecision): Promise<Order> {
    const after = decision.events.length ? await appendEvents(tx, order.id, order, decision.events) : order;
    const deadline =
      typeof decision.deadline === 'object'
        ? // In line for stock: overdue only once inventory's promised answer is.
          Math.max(0, Date.parse(decision.deadline.until) - Date.now()) + options.stepTimeoutMs
        : { restart: options.stepTimeoutMs, clear: null, keep: 'keep' as const }[decision.deadline];
    await saveFollowing(tx, order.id, decision.state, deadline);
    await publishOrderFacts(tx, after, decision.events);
    const about = { orderId: order.id, userId: order.userId };
    if (decision.announce?.type === 'order.timed-out') {
      await tx.publish({
        type: 'order.timed-out',
        subject: order.id,
        data: { ...about, step: decision.announce.step },
      });
    } else if (decision.announce?.type === 'order.cancel-requested') {
      const { reason } = decision.announce;
      await tx.publish({ type: 'order.cancel-requested', subject: order.id, data: { ...about, reason } });
    }
    return after;
  }

  async function onFact(event: Envelope, tx: OrderTx): Promise<void> {
    const answer = answerOf(event.type, event.data as AnswerData, new Date());
    const orderId = event.subject;
    if (!answer || !orderId) return;
    const state = await lockFollowing(tx, orderId);
    const order = state && (await loadOrder(tx, orderId));
    if (!state || !order) {
      log.info({ orderId, type: event.type }, 'fact about an order not followed here ignored');
      return;
    }
    await apply(tx, order, factHeard(state, factOf(answer)));
  }

  const deadlines = deadlineSweeper(bus, log, {
    mode: 'choreography',
    stepTimeoutMs: options.stepTimeoutMs,
    async overdue(tx, orderId) {
      const state = await lockFollowing(tx, orderId);
      const order = state && (await loadOrder(tx, orderId));
      if (!state || !order) return;
      log.warn({ orderId, status: order.status }, 'choreographed order stopped moving: giving up');
      await apply(tx, order, deadlinePassed(state));
    },
  });

  return {
    async start(tx, order) {
      await apply(tx, order, startFollowing());
    },
    cancel: (orderId, reason) =>
      bus.transaction(async (tx) => {
        const state = await lockFollowing(tx, orderId);
        const order = state && (await loadOrder(tx, orderId));
        if (!state || !order) throw new Error(`order ${orderId} is not followed by choreography`);
        const decision = cancelAsked(state, reason);
        if (decision === 'too-late') throw new CancelTooLate(`Order ${orderId} is ${order.status}`);
        return apply(tx, order, decision);
      }),
    async run() {
      await bus.subscribe(FOLLOWER_GROUP, ANSWER_TYPES, (event, { tx }) => onFact(event, tx));
      deadlines.start();
    },
    stop: () => deadlines.stop(),
  };
}
