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
  await db.query('INSERT INTO pending_orders (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING', [
    orderId,
  ]);
  await db.query('SELECT 1 FROM pending_orders WHERE order_id = $1 FOR UPDATE', [orderId]);
  const { rows } = await db.query<Row>(
    `UPDATE pending_orders SET ${FLAG[fact]} = true, updated_at = now(),
       user_id = coalesce($2, user_id), address = coalesce($3, address), lines = coalesce($4, lines)
     WHERE order_id = $1
     RETURNING user_id, address, lines, order_created, stock_reserved, payment_authorized, settled`,
    [
      orderId,
      details?.userId ?? null,
      details ? JSON.stringify(details.address) : null,
      details ? JSON.stringify(details.lines) : null,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error(`pending order ${orderId} vanished while locked`);
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
