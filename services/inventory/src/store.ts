import { prepared, type Queryable } from '@platform/chassis';
import type { inventory } from '@platform/contracts';
import type { ReservationState, ReservationStatus } from './domain/reservation.ts';
import type { Shortage, StockCount, StockLine, Waiter } from './domain/stock.ts';

interface StockRow {
  product_id: string;
  on_hand: number;
  reserved: number;
}

interface ReservationRow {
  order_id: string;
  status: ReservationStatus;
  lines: StockLine[];
  shortages: Shortage[];
  expires_at: Date | null;
  reason: string | null;
  updated_at: Date;
}

/** Whom a reservation's answer goes to: the ids of the message that asked for it. */
export interface AnswerTo {
  causationId: string;
  correlationId?: string | undefined;
}

/** An order in the line for held stock, and when it stops waiting. */
export interface InLine extends Waiter {
  until: string;
  answerTo: AnswerTo | null;
}

const RESERVATION_COLUMNS = 'order_id, status, lines, shortages, expires_at, reason, updated_at';
/** Reservations whose lines name one of the products `$1`. */
const NAMES_A_PRODUCT = `EXISTS (SELECT 1 FROM jsonb_array_elements(lines) AS line
  WHERE (line->>'productId')::uuid = ANY($1::uuid[]))`;

// The products a batch touches, those its orders' reservations name, and those of the
// orders waiting in line for any of them: their stock rows, locked in product order.
const LOCK_WITH_LINE = prepared(
  `WITH touched AS (
     SELECT unnest($1::uuid[]) AS product_id
     UNION
     SELECT (line->>'productId')::uuid FROM reservations, jsonb_array_elements(lines) AS line
     WHERE order_id = ANY($2::uuid[])
   ), line AS (
     SELECT product_id FROM touched
     UNION
     SELECT (named->>'productId')::uuid FROM reservations, jsonb_array_elements(lines) AS named
     WHERE status = 'WAITING' AND EXISTS (SELECT 1 FROM jsonb_array_elements(lines) AS waited
       WHERE (waited->>'productId')::uuid IN (SELECT product_id FROM touched))
   )
   SELECT product_id, on_hand, reserved FROM stock WHERE product_id IN (SELECT product_id FROM line)
   ORDER BY product_id FOR UPDATE`,
);

const toCount = (row: StockRow): StockCount => ({
  productId: row.product_id,
  onHand: row.on_hand,
  reserved: row.reserved,
});

const toState = (row: ReservationRow): ReservationState & { updatedAt: Date } => ({
  orderId: row.order_id,
  status: row.status,
  lines: row.lines,
  shortages: row.shortages,
  expiresAt: row.expires_at,
  reason: row.reason,
  updatedAt: row.updated_at,
});

export function toStockLevel(count: StockCount): inventory.StockLevel {
  return {
    productId: count.productId,
    available: count.onHand - count.reserved,
    onHand: count.onHand,
    reserved: count.reserved,
  };
}

export function toReservation(state: ReservationState & { updatedAt: Date }): inventory.Reservation {
  return {
    orderId: state.orderId,
    status: state.status,
    lines: state.lines,
    expiresAt: state.expiresAt ? state.expiresAt.toISOString() : null,
    updatedAt: state.updatedAt.toISOString(),
  };
}

/** A change to one product's counts (deltas, applied together). */
export interface StockChange {
  productId: string;
  onHand: number;
  reserved: number;
}

/** $1-$3: products and the changes to their counts; the new counts (prepared: every reservation runs it). */
const LOCK_STOCK = prepared(
  `SELECT product_id, on_hand, reserved FROM stock WHERE product_id = ANY($1::uuid[])
   ORDER BY product_id FOR UPDATE`,
);

const APPLY_CHANGES = prepared(
  `UPDATE stock s SET on_hand = s.on_hand + c.on_hand, reserved = s.reserved + c.reserved, updated_at = now()
   FROM unnest($1::uuid[], $2::int[], $3::int[]) AS c(product_id, on_hand, reserved)
   WHERE s.product_id = c.product_id
   RETURNING s.product_id, s.on_hand, s.reserved`,
);

/** Stock rows: reads, locks (always in product-id order) and changes. */
export function stockStore(db: Queryable) {
  return {
    async find(productId: string): Promise<StockCount | undefined> {
      const { rows } = await db.query<StockRow>(
        'SELECT product_id, on_hand, reserved FROM stock WHERE product_id = $1',
        [productId],
      );
      return rows[0] ? toCount(rows[0]) : undefined;
    },

    /** The counts of `productIds` that have a row, once each, in the order of their first mention. */
    async findMany(productIds: readonly string[]): Promise<StockCount[]> {
      const { rows } = await db.query<StockRow>(
        `SELECT product_id, on_hand, reserved FROM stock WHERE product_id = ANY($1::uuid[])
         ORDER BY array_position($1::uuid[], product_id)`,
        [productIds],
      );
      return rows.map(toCount);
    },

    /** Locks the rows of `productIds` in product-id order (no deadlocks), returning their counts. */
    async lock(productIds: readonly string[]): Promise<Map<string, StockCount>> {
      const { rows } = await db.query<StockRow>(LOCK_STOCK([productIds]));
      return new Map(rows.map((row) => [row.product_id, toCount(row)]));
    },

    /**
     * Locks, in product-id order (the order every lock is taken in), the rows of
     * `products`, of the products the reservations of `orders` hold or wait for, and of
     * every product named by an order waiting for any of those (its line), in one
     * statement, so moving the line later rarely has a row left to lock; their counts.
     */
    async lockWithLine(touched: {
      products: readonly string[];
      orders?: readonly string[];
    }): Promise<Map<string, StockCount>> {
      const { rows } = await db.query<StockRow>(LOCK_WITH_LINE([touched.products, touched.orders ?? []]));
      return new Map(rows.map((row) => [row.product_id, toCount(row)]));
    },

    /** Applies `changes` (one per product, rows already locked); the new counts. */
    async apply(changes: readonly StockChange[]): Promise<StockCount[]> {
      if (changes.length === 0) return [];
      const { rows } = await db.query<StockRow>(
        APPLY_CHANGES([
          changes.map((c) => c.productId),
          changes.map((c) => c.onHand),
          changes.map((c) => c.reserved),
        ]),
      );
      return rows.map(toCount);
    },

    /** Rows for products that have none yet; how many were added. */
    async addMissing(productIds: readonly string[], onHand: number): Promise<number> {
      const { rowCount } = await db.query(
        `INSERT INTO stock (product_id, on_hand, received) SELECT unnest($1::uuid[]), $2::int, $2::int
         ON CONFLICT (product_id) DO NOTHING`,
        [productIds, onHand],
      );
      return rowCount ?? 0;
    },

    /** Sets what is on hand (the row is locked); the difference counts as received (or written off). */
    async setOnHand(productId: string, onHand: number): Promise<StockCount> {
      const { rows } = await db.query<StockRow>(
        `UPDATE stock SET on_hand = $2, received = received + ($2 - on_hand), updated_at = now()
         WHERE product_id = $1 RETURNING product_id, on_hand, reserved`,
        [productId, onHand],
      );
      if (!rows[0]) throw new Error(`stock row ${productId} vanished while locked`);
      return toCount(rows[0]);
    },

    /** Deletes the row unless something is reserved; false if it was kept (or absent). */
    async removeUnreserved(productId: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM stock WHERE product_id = $1 AND reserved = 0', [
        productId,
      ]);
      return (rowCount ?? 0) > 0;
    },
  };
}

// Each order runs these once or twice: prepared, they are planned once per connection
// (the pool keeps generic plans: service.ts).
const CLAIM_RESERVATION = prepared(
  `INSERT INTO reservations (order_id, status, lines, expires_at, reason, answer_to)
   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
);
const FIND_RESERVATION = prepared(`SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE order_id = $1`);
const FIND_RESERVATION_LOCKED = prepared(
  `SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE order_id = $1 FOR UPDATE`,
);
const LOCK_LINE = prepared(
  `SELECT ${RESERVATION_COLUMNS}, answer_to FROM reservations
   WHERE status = 'WAITING' AND ${NAMES_A_PRODUCT}
   ORDER BY created_at, order_id FOR UPDATE`,
);
const SETTLE_RESERVATION = prepared(
  `UPDATE reservations SET status = $2, reason = COALESCE($3, reason),
     shortages = COALESCE($4::jsonb, shortages),
     expires_at = CASE WHEN $5 THEN NULL ELSE expires_at END, updated_at = now()
   WHERE order_id = $1`,
);

/** Reservation rows, one per order. */
export function reservationStore(db: Queryable) {
  return {
    /**
     * Inserts the order's row unless it has one: true if this call created it. A
     * concurrent insert for the same order waits for the first to commit, then gets false.
     */
    async claim(
      orderId: string,
      status: ReservationStatus,
      fields: { lines: StockLine[]; expiresAt: string | null; reason: string | null; answerTo?: AnswerTo },
    ): Promise<boolean> {
      const { rowCount } = await db.query(
        CLAIM_RESERVATION([
          orderId,
          status,
          JSON.stringify(fields.lines),
          fields.expiresAt,
          fields.reason,
          fields.answerTo ? JSON.stringify(fields.answerTo) : null,
        ]),
      );
      return (rowCount ?? 0) > 0;
    },

    async find(orderId: string, options: { lock?: boolean } = {}) {
      const { rows } = await db.query<ReservationRow>(
        (options.lock ? FIND_RESERVATION_LOCKED : FIND_RESERVATION)([orderId]),
      );
      return rows[0] ? toState(rows[0]) : undefined;
    },

    async settle(
      orderId: string,
      status: ReservationStatus,
      fields: { reason?: string | null; shortages?: Shortage[]; clearExpiry?: boolean } = {},
    ): Promise<void> {
      await db.query(
        SETTLE_RESERVATION([
          orderId,
          status,
          fields.reason ?? null,
          fields.shortages ? JSON.stringify(fields.shortages) : null,
          fields.clearExpiry ?? false,
        ]),
      );
    },

    /** Up to `limit` lapsed reservations, locked; rows another instance holds are skipped. */
    async lockDue(limit: number) {
      const { rows } = await db.query<ReservationRow>(
        `SELECT ${RESERVATION_COLUMNS} FROM reservations
         WHERE status = 'RESERVED' AND expires_at <= now()
         ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      return rows.map(toState);
    },

    /** The orders waiting for any of `productIds`, in arrival order, locked. */
    async lockLine(productIds: readonly string[]): Promise<InLine[]> {
      const { rows } = await db.query<ReservationRow & { answer_to: AnswerTo | null }>(
        LOCK_LINE([productIds]),
      );
      return rows.map((row) => ({
        orderId: row.order_id,
        lines: row.lines,
        until: (row.expires_at ?? new Date(0)).toISOString(),
        answerTo: row.answer_to,
      }));
    },

    /** Up to `limit` orders that waited past their `expires_at`, locked; others' rows skipped. */
    async lockWaitedTooLong(limit: number): Promise<Array<{ orderId: string; answerTo: AnswerTo | null }>> {
      const { rows } = await db.query<{ order_id: string; answer_to: AnswerTo | null }>(
        `SELECT order_id, answer_to FROM reservations WHERE status = 'WAITING' AND expires_at <= now()
         ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      return rows.map((row) => ({ orderId: row.order_id, answerTo: row.answer_to }));
    },

    async markExpired(orderIds: readonly string[], reason: string): Promise<void> {
      await db.query(
        `UPDATE reservations SET status = 'EXPIRED', reason = $2, updated_at = now()
         WHERE order_id = ANY($1::uuid[])`,
        [orderIds, reason],
      );
    },
  };
}
