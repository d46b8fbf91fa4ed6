// Reservation rows, one per order: what it holds or waits for, and until when.
import { prepared, type Queryable } from '@platform/chassis';
import type { inventory } from '@platform/contracts';
import type { ReservationState, ReservationStatus } from './domain/reservation.ts';
import type { Shortage, StockLine, Waiter } from './domain/stock.ts';

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

const toState = (row: ReservationRow): ReservationState & { updatedAt: Date } => ({
  orderId: row.order_id,
  status: row.status,
  lines: row.lines,
  shortages: row.shortages,
  expiresAt: row.expires_at,
  reason: row.reason,
  updatedAt: row.updated_at,
});

export function toReservation(state: ReservationState & { updatedAt: Date }): inventory.Reservation {
  return {
    orderId: state.orderId,
    status: state.status,
    lines: state.lines,
    expiresAt: state.expiresAt ? state.expiresAt.toISOString() : null,
    updatedAt: state.updatedAt.toISOString(),
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
