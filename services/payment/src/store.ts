// Payments, their ledger and refunds: the statements that write and read them.
import { prepared, type Queryable } from '@platform/chassis';
import type { payments } from '@platform/contracts';
import type { PaymentStatus } from './domain/payment.ts';
import { lockOrder, ORDER_LOCK_KEY } from './order-locks.ts';
import {
  PAYMENT_COLUMNS,
  type PaymentRow,
  REFUND_COLUMNS,
  type Refund,
  type RefundRow,
  toPayment,
  toRefund,
} from './rows.ts';

export type LedgerKind = 'authorize' | 'capture' | 'void' | 'refund';

/** What the ledger records of a movement of money. */
export interface LedgerEntry {
  kind: LedgerKind;
  amount: number;
}

/**
 * The CTE `settled`: processor call `param` marked settled, the card no longer kept, if
 * it was pending; it returns who waits for the outcome (no row: another taker settled it).
 */
export const SETTLING_CALL = (param: string) =>
  `settled AS (
     UPDATE processor_calls SET state = 'settled', settled_at = now(), payment_method = NULL, last_error = NULL
     WHERE id = ${param} AND state = 'pending'
     RETURNING reply_to, correlation_id)`;

// A payment's making and its moves, with the ledger's entry, each run once or twice an
// order: prepared, each is planned once per connection. Given a processor call (the
// last parameter), the same statement settles it, and writes nothing if another taker
// settled it first: the processor's answer is recorded in one round trip.
const INSERT_PAYMENT = prepared(
  `WITH ${SETTLING_CALL('$12')},
   made AS (
     INSERT INTO payments (id, order_id, user_id, status, currency, authorized, brand, last4, failure_code)
     SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::bigint, $7::text, $8::text, $9::text
     WHERE $12::uuid IS NULL OR EXISTS (SELECT 1 FROM settled)
     RETURNING ${PAYMENT_COLUMNS}),
   entry AS (
     INSERT INTO ledger (payment_id, kind, amount) SELECT id, $10, $11 FROM made WHERE $10::text IS NOT NULL)
   SELECT made.*, settled.reply_to, settled.correlation_id FROM made LEFT JOIN settled ON true`,
);
const UPDATE_PAYMENT = prepared(
  `WITH ${SETTLING_CALL('$7')},
   moved AS (
     UPDATE payments SET status = $2, captured = coalesce($3, captured), refunded = coalesce($4, refunded),
            updated_at = now()
     WHERE id = $1 AND ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM settled)) RETURNING ${PAYMENT_COLUMNS}),
   entry AS (INSERT INTO ledger (payment_id, kind, amount) SELECT id, $5, $6 FROM moved)
   SELECT moved.*, settled.reply_to, settled.correlation_id FROM moved LEFT JOIN settled ON true`,
);

/** Who waits for a settled call's outcome, as its row has it. */
export interface CallAudienceRow {
  reply_to: unknown;
  correlation_id: string | null;
}

const paymentOnly = ({ reply_to: _, correlation_id: __, ...payment }: PaymentRow & CallAudienceRow) =>
  payment as PaymentRow;
/** Who waits for the outcome of the call a write settled; undefined when it settled none. */
const audienceOfWrite = (row: CallAudienceRow | undefined): CallAudienceRow | undefined =>
  row && { reply_to: row.reply_to, correlation_id: row.correlation_id };

export interface NewPayment {
  id: string;
  orderId: string;
  userId: string;
  status: PaymentStatus;
  currency: string;
  authorized: number;
  brand: string;
  last4: string;
  failureCode: string | null;
}

/** An order whose card hold has lapsed, and the correlation id of the timeout that set it to. */
export interface LapsedHold {
  orderId: string;
  correlationId: string | undefined;
}

/** A payment's move: its new status, and its new captured or refunded total. */
export type PaymentChange = { status: PaymentStatus; captured?: number; refunded?: number };

/** Payments, their ledger and refunds, in the caller's transaction (or on the pool for reads). */
export function paymentStore(db: Queryable) {
  const insertPayment = async (payment: NewPayment, entry: LedgerEntry | undefined, callId: string | null) =>
    (
      await db.query<PaymentRow & CallAudienceRow>(
        INSERT_PAYMENT([
          payment.id,
          payment.orderId,
          payment.userId,
          payment.status,
          payment.currency,
          payment.authorized,
          payment.brand,
          payment.last4,
          payment.failureCode,
          entry?.kind ?? null,
          entry?.amount ?? null,
          callId,
        ]),
      )
    ).rows;
  const updatePayment = async (
    id: string,
    change: PaymentChange,
    entry: LedgerEntry,
    callId: string | null,
  ) =>
    (
      await db.query<PaymentRow & CallAudienceRow>(
        UPDATE_PAYMENT([
          id,
          change.status,
          change.captured ?? null,
          change.refunded ?? null,
          entry.kind,
          entry.amount,
          callId,
        ]),
      )
    ).rows;
  return {
    /** Serialises every operation on one order until the transaction ends, even before a row exists. */
    async lockOrder(orderId: string): Promise<void> {
      await lockOrder(db, orderId);
    },

    async findByOrder(orderId: string): Promise<PaymentRow | undefined> {
      const { rows } = await db.query<PaymentRow>(
        `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE order_id = $1 FOR UPDATE`,
        [orderId],
      );
      return rows[0];
    },

    /** Unlocked: lock the order, then `findByOrder`, to change it. */
    async findById(id: string): Promise<PaymentRow | undefined> {
      const { rows } = await db.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $1`, [
        id,
      ]);
      return rows[0];
    },

    /** A new payment, and the ledger's entry for what moved (none for a refusal or a tombstone), in one statement. */
    async insert(payment: NewPayment, entry?: LedgerEntry): Promise<PaymentRow> {
      return paymentOnly((await insertPayment(payment, entry, null))[0] as PaymentRow & CallAudienceRow);
    },

    /** `insert`, settling processor call `callId` in the same statement: who waits for its outcome; undefined (nothing written) if it was settled already. */
    async insertSettling(callId: string, payment: NewPayment, entry?: LedgerEntry) {
      return audienceOfWrite((await insertPayment(payment, entry, callId))[0]);
    },

    /** Moves a locked payment, and writes the ledger's entry for it, in one statement. */
    async update(id: string, change: PaymentChange, entry: LedgerEntry): Promise<PaymentRow> {
      const row = (await updatePayment(id, change, entry, null))[0];
      if (!row) throw new Error(`payment ${id} vanished while locked`);
      return paymentOnly(row);
    },

    /** `update`, settling processor call `callId` in the same statement: who waits for its outcome; undefined (nothing written) if it was settled already. */
    async updateSettling(callId: string, id: string, change: PaymentChange, entry: LedgerEntry) {
      return audienceOfWrite((await updatePayment(id, change, entry, callId))[0]);
    },

    /** Sets the hold to lapse in `graceMs`, or leaves the earlier time a previous timeout set. */
    async setHoldLapse(paymentId: string, graceMs: number, correlationId: string | undefined): Promise<void> {
      await db.query(
        `UPDATE payments
         SET hold_lapses_at = least(hold_lapses_at, now() + make_interval(secs => $2::float8 / 1000)),
             hold_lapse_correlation_id = coalesce(hold_lapse_correlation_id, $3)
         WHERE id = $1`,
        [paymentId, graceMs, correlationId ?? null],
      );
    },

    /**
     * Takes up to `limit` orders whose hold has lapsed and that have no call in flight,
     * each row and order lock held until the transaction ends. Never waits: a row another
     * instance sweeps is skipped (SKIP LOCKED), and so is an order an operation holds
     * (it takes the order's lock, then the row's; waiting here, the other way round, could
     * deadlock).
     */
    async claimLapsedHolds(limit: number): Promise<LapsedHold[]> {
      const { rows } = await db.query<{ order_id: string; correlation_id: string | null }>(
        `WITH lapsed AS MATERIALIZED (
           SELECT order_id, hold_lapse_correlation_id FROM payments p
           WHERE status = 'AUTHORIZED' AND hold_lapses_at <= now()
             AND NOT EXISTS (SELECT 1 FROM processor_calls c WHERE c.order_id = p.order_id AND c.state = 'pending')
           ORDER BY hold_lapses_at LIMIT $1
           FOR UPDATE SKIP LOCKED)
         SELECT order_id, hold_lapse_correlation_id AS correlation_id FROM lapsed
         WHERE pg_try_advisory_xact_lock(${ORDER_LOCK_KEY('order_id')})`,
        [limit],
      );
      return rows.map((row) => ({ orderId: row.order_id, correlationId: row.correlation_id ?? undefined }));
    },

    async insertRefund(
      refund: { id: string; paymentId: string; amount: number; reason: string | null },
      currency: string,
    ): Promise<Refund> {
      const { rows } = await db.query<RefundRow>(
        `INSERT INTO refunds (id, payment_id, amount, reason) VALUES ($1, $2, $3, $4)
         RETURNING ${REFUND_COLUMNS}`,
        [refund.id, refund.paymentId, refund.amount, refund.reason],
      );
      return toRefund(rows[0] as RefundRow, currency);
    },

    async lastRefund(paymentId: string, currency: string): Promise<Refund | undefined> {
      const { rows } = await db.query<RefundRow>(
        `SELECT ${REFUND_COLUMNS} FROM refunds WHERE payment_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
        [paymentId],
      );
      return rows[0] ? toRefund(rows[0], currency) : undefined;
    },

    async findRefund(id: string, currency: string): Promise<Refund | undefined> {
      const { rows } = await db.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE id = $1`, [id]);
      return rows[0] ? toRefund(rows[0], currency) : undefined;
    },

    /** The order's payments: the user's own only, unless `userId` is undefined (an administrator). */
    async listForOrder(orderId: string, userId: string | undefined): Promise<payments.Payment[]> {
      const { rows } = await db.query<PaymentRow>(
        `SELECT ${PAYMENT_COLUMNS} FROM payments
         WHERE order_id = $1 AND ($2::text IS NULL OR user_id = $2) ORDER BY created_at`,
        [orderId, userId ?? null],
      );
      return rows.map(toPayment);
    },
  };
}

export type PaymentStore = ReturnType<typeof paymentStore>;
