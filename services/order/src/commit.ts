// The one doorway through which an order changes, whoever decided the change: placing
// it, the orchestrated saga, choreography, or the parcel's news. In the caller's
// transaction it appends the decision's events, writes the projection once, saves the
// saga's row (one statement), wakes live status once after the commit, and publishes the
// facts the rest of the platform hears (through the outbox: only if it commits).
// Commands are the orchestrator's own: it sends them first, since its saga row names
// the command it awaits (saga-runner.ts).
import type { Tx } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import type { OrderDecision } from './domain/decision.ts';
import { factsOf } from './domain/facts.ts';
import { type Order, withHeldNews } from './domain/order.ts';
import { writeOrder } from './store.ts';

export type OrderTx = Tx<typeof eventSchemas>;

/** An order not placed yet: only its id. */
export interface NewOrder {
  id: string;
}

/** Commits `decision` on `order` in `tx` and returns the order after it. */
export async function commit(tx: OrderTx, order: Order | NewOrder, given: OrderDecision): Promise<Order> {
  const before = 'version' in order ? order : undefined;
  // The parcel's news kept for the confirmation is recorded in the move that confirms.
  const decision = { ...given, events: withHeldNews(before, given.events) };
  const after = await writeOrder(tx, order.id, before, decision);
  if (!after) throw new Error(`order ${order.id} has no OrderPlaced event`);
  // Live status streams hear of it once the transaction commits, and only then; a
  // NOTIFY inside would serialise this commit with every notifying one (decision 023).
  if (decision.events.length > 0) tx.notifyAfterCommit('order_events', after.id);
  for (const fact of factsOf(after, decision.events, decision.announce)) {
    await tx.publish({ ...fact, subject: after.id });
  }
  return after;
}
