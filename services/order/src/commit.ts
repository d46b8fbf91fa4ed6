// The one doorway through which an order changes, whoever decided the change: placing
// it, the orchestrated saga, choreography, or the parcel's news. In the caller's
// transaction it appends the decision's events, writes the projection once, saves the
// saga's row (one statement), wakes live status once after the commit, and publishes the
// facts the rest of the platform hears (through the outbox: only if it commits).
// Commands are the orchestrator's own: it sends them first, since its saga row names
// the command it awaits (saga-runner.ts).
import type { Envelope, Tx } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { type OrderWrite, orderWrite, writeOrders } from './batch-writes.ts';
import type { OrderDecision } from './domain/decision.ts';
import { factsOf } from './domain/facts.ts';
import { type Order, withHeldNews } from './domain/order.ts';
import type { Held } from './holds.ts';
import { writeOrder } from './store.ts';

export type OrderTx = Tx<typeof eventSchemas>;

/** An order not placed yet: only its id. */
export interface NewOrder {
  id: string;
}

/**
 * The moves of a batch of answers about held orders, made one after another and written
 * together at its end (`write`, one statement), not one statement a move. An order
 * moved twice in the batch moves the second time from where the first left it, kept
 * here (its hold is taken once).
 */
export class BatchOfMoves<State> {
  readonly #writes: OrderWrite[] = [];
  readonly #moved = new Map<string, Held<State>>();

  /** The order as this batch's last move of it left it, or as `take` holds it. */
  hold(orderId: string, take: () => Promise<Held<State> | undefined>): Promise<Held<State> | undefined> {
    const moved = this.#moved.get(orderId);
    return moved ? Promise.resolve(moved) : take();
  }

  /** Says where a move left the order, for its next move in the batch. */
  moved(held: Held<State>): void {
    this.#moved.set(held.order.id, held);
  }

  /** Keeps a held order's move to write; the order after it (its new times stand-ins until written). */
  add(order: Order, decision: Pick<OrderDecision, 'events' | 'saga'>): Order {
    if (!decision.events.length && !decision.saga) return order;
    const write = orderWrite(order.id, order, decision);
    this.#writes.push(write);
    return write.after ?? order;
  }

  /** Writes every move kept, in one statement. */
  async write(tx: OrderTx): Promise<void> {
    await writeOrders(tx, this.#writes.splice(0));
  }
}

/**
 * A consumer's batching (the bus's `subscribe` options) for moves of held orders: the
 * batch's orders held first (`lockBatch`, one statement), each event moved in turn by
 * `onEvent`, and every move written at the end in one statement. A lone event, and each
 * of a batch that failed, go to `onEvent` without a batch.
 */
export function movesInBatches<State>(
  lockBatch: (tx: OrderTx, events: Envelope[]) => Promise<void>,
  onEvent: (event: Envelope, tx: OrderTx, batch?: BatchOfMoves<State>) => Promise<void>,
) {
  return {
    maxBatch: 32,
    lockBatch,
    async handleBatch(events: Envelope[], { tx }: { tx: OrderTx }): Promise<void> {
      const batch = new BatchOfMoves<State>();
      for (const event of events) await onEvent(event, tx, batch);
      await batch.write(tx);
    },
  };
}

/**
 * Commits `decision` on `order` in `tx` and returns the order after it. In a `batch`,
 * a held order's write is kept for the batch's (the facts and the wake-up are the same).
 */
export async function commit(
  tx: OrderTx,
  order: Order | NewOrder,
  given: OrderDecision,
  batch?: BatchOfMoves<unknown>,
): Promise<Order> {
  const before = 'version' in order ? order : undefined;
  // The parcel's news kept for the confirmation is recorded in the move that confirms.
  const decision = { ...given, events: withHeldNews(before, given.events) };
  const after =
    batch && before ? batch.add(before, decision) : await writeOrder(tx, order.id, before, decision);
  if (!after) throw new Error(`order ${order.id} has no OrderPlaced event`);
  // Live status streams hear of it once the transaction commits, and only then; a
  // NOTIFY inside would serialise this commit with every notifying one (decision 023).
  if (decision.events.length > 0) tx.notifyAfterCommit('order_events', after.id);
  for (const fact of factsOf(after, decision.events, decision.announce)) {
    await tx.publish({ ...fact, subject: after.id });
  }
  return after;
}
