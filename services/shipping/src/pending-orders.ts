import type { Queryable } from '@platform/chassis';
import type { PendingOrder } from './domain/pending-order.ts';
import type { Address, ParcelLine } from './store.ts';

// Choreography's waiting room: what shipping has heard about an order so far.

export type CheckoutFact = 'order' | 'stock' | 'payment';

export interface OrderDetails {
  userId: string;
  address: Address;
  lines: ParcelLine[];
}

export interface PendingOrderRow extends PendingOrder {
  details: OrderDetails | undefined;
}

interface Row {
  user_id: string | null;
  address: Address | null;
  lines: ParcelLine[] | null;
  order_created: boolean;
  stock_reserved: boolean;
  payment_authorized: boolean;
  settled: boolean;
}

const FLAG: Record<CheckoutFact, string> = {
  order: 'order_created',
  stock: 'stock_reserved',
  payment: 'payment_authorized',
};

/**
 * Records one fact about the order, holding its row locked until the transaction
 * ends: facts arriving together for one order are applied one after the other, and
 * the last of the three sees the other two.
 */
export async function notePendingFact(
  db: Queryable,
  orderId: string,
  fact: CheckoutFact,
  details?: OrderDetails,
): Promise<PendingOrderRow> {
  // The row's first fact inserts it; a later one (or one that waited for the first's
  // commit) updates the row as it stands then, and holds it locked until the end.
  const { rows } = await db.query<Row>(
    `INSERT INTO pending_orders AS p (order_id, user_id, address, lines, ${FLAG[fact]})
     VALUES ($1, $2, $3, $4, true)
     ON CONFLICT (order_id) DO UPDATE SET ${FLAG[fact]} = true, updated_at = now(),
       user_id = coalesce(EXCLUDED.user_id, p.user_id), address = coalesce(EXCLUDED.address, p.address),
       lines = coalesce(EXCLUDED.lines, p.lines)
     RETURNING user_id, address, lines, order_created, stock_reserved, payment_authorized, settled`,
    [
      orderId,
      details?.userId ?? null,
      details ? JSON.stringify(details.address) : null,
      details ? JSON.stringify(details.lines) : null,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error(`pending order ${orderId} was neither inserted nor updated`);
  return {
    orderCreated: row.order_created,
    stockReserved: row.stock_reserved,
    paymentAuthorized: row.payment_authorized,
    settled: row.settled,
    details:
      row.user_id !== null && row.address && row.lines
        ? { userId: row.user_id, address: row.address, lines: row.lines }
        : undefined,
  };
}

export async function settlePendingOrder(db: Queryable, orderId: string): Promise<void> {
  await db.query('UPDATE pending_orders SET settled = true, updated_at = now() WHERE order_id = $1', [
    orderId,
  ]);
}
