// An order's lock in the payment database: every operation on one order, and the
// settling of its processor calls, take their turns under it (a transaction-scoped
// advisory lock, held even before the order has a payment row). A transaction that
// knows its orders up front takes their locks with its BEGIN, in id order.
import { isUuid, literal, type Queryable } from '@platform/chassis';

/** The key of an order's advisory lock, from an SQL expression of its id (a uuid). */
export const ORDER_LOCK_KEY = (orderId: string) => `hashtextextended('payment:' || ${orderId}::text, 0)`;

/** The orders whose locks a transaction took with its BEGIN (`lockOrdersFirst`), by the transaction. */
const lockedWithBegin = new WeakMap<Queryable, Set<string>>();

/**
 * The statement that takes the locks of `orderIds` (the uuids among them), sent with a
 * transaction's BEGIN, in id order so that two transactions never take them crosswise.
 * The transaction then says so with `heldFromBegin`, and `lockOrder` costs nothing.
 */
export function lockOrdersFirst(orderIds: string[]): string {
  const ids = [...new Set(orderIds.filter(isUuid).map((id) => id.toLowerCase()))].sort();
  if (ids.length === 0) return 'SELECT NULL';
  return `SELECT ${ids.map((id) => `pg_advisory_xact_lock(${ORDER_LOCK_KEY(`${literal(id)}::uuid`)})`).join(', ')}`;
}

/** Records that `db`'s transaction began with `lockOrdersFirst(orderIds)`. */
export function heldFromBegin(db: Queryable, orderIds: string[]): void {
  const held = lockedWithBegin.get(db) ?? new Set<string>();
  for (const id of orderIds) if (isUuid(id)) held.add(id.toLowerCase());
  lockedWithBegin.set(db, held);
}

/** Takes `orderId`'s lock until the transaction ends, unless its BEGIN took it. */
export async function lockOrder(db: Queryable, orderId: string): Promise<void> {
  if (lockedWithBegin.get(db)?.has(orderId.toLowerCase())) return;
  // The id in its canonical text, so the lapse sweep's lock (`claimLapsedHolds`) is the same one.
  await db.query(`SELECT pg_advisory_xact_lock(${ORDER_LOCK_KEY('$1::uuid')})`, [orderId]);
}
