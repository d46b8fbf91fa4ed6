import { randomUUID } from 'node:crypto';
import { parseEnvelope, prepared, type Queryable } from '@platform/chassis';
import type { CallRequest, ProcessorCall } from './domain/calls.ts';
import type { Audience } from './messages.ts';
import { PAYMENT_COLUMNS, type PaymentRow } from './rows.ts';
import { type CallAudienceRow, SETTLING_CALL } from './store.ts';

// The processor calls' records (decision 022): recorded and committed before a call
// is made, taken under a lease by the instance that makes it, settled once.

interface CallRow {
  id: string;
  order_id: string;
  payment_id: string;
  operation: ProcessorCall['operation'];
  idempotency_key: string;
  amount: number;
  currency: string;
  user_id: string | null;
  payment_method: string | null;
  refund_id: string | null;
  reason: string | null;
  attempts: number;
}

// `id` first: `c.${CALL_COLUMNS}` names the calls' own id where another table has one too.
const CALL_COLUMNS = `id, order_id, payment_id, operation, idempotency_key, amount, currency, user_id,
  payment_method, refund_id, reason, attempts`;

// The table's CHECKs keep an authorization's payer and card, and a refund's id, while it is pending.
function toCall(row: CallRow): ProcessorCall {
  const call = {
    id: row.id,
    attempt: row.attempts,
    orderId: row.order_id,
    paymentId: row.payment_id,
    idempotencyKey: row.idempotency_key,
    amount: { amount: row.amount, currency: row.currency },
  };
  switch (row.operation) {
    case 'authorize':
      return {
        ...call,
        operation: 'authorize',
        userId: row.user_id ?? '',
        paymentMethodId: row.payment_method ?? '',
      };
    case 'refund':
      return { ...call, operation: 'refund', refundId: row.refund_id ?? '', reason: row.reason };
    case 'capture':
    case 'void':
      return { ...call, operation: row.operation };
  }
}

/**
 * $1 order: whether it has an unsettled call, when that is next tried if it failed, and
 * the order's payment, locked (one statement; prepared: every operation runs it).
 */
const ORDER_NOW = prepared(
  `WITH payment AS (SELECT ${PAYMENT_COLUMNS} FROM payments WHERE order_id = $1 FOR UPDATE),
        call AS (
          SELECT CASE WHEN last_error IS NULL THEN NULL
                      ELSE greatest(0, extract(epoch FROM next_attempt_at - now()) * 1000)::float8 END AS retry_in_ms
          FROM processor_calls WHERE order_id = $1 AND state = 'pending' LIMIT 1)
   SELECT EXISTS (SELECT 1 FROM call) AS in_flight, (SELECT retry_in_ms FROM call) AS retry_in_ms, payment.*
   FROM (SELECT 1) AS one LEFT JOIN payment ON true`,
);

/** A call to make, taken at once by its maker for $14 ms (prepared: every operation that calls the processor runs it). */
const RECORD_CALL = prepared(
  `INSERT INTO processor_calls (id, order_id, payment_id, operation, idempotency_key, amount, currency,
     user_id, payment_method, refund_id, reason, reply_to, correlation_id, next_attempt_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
           now() + make_interval(secs => $14::float8 / 1000))
   RETURNING ${CALL_COLUMNS}`,
);

/** $1 call: settled, if it was not yet; who waits for its outcome. */
const SETTLE = prepared(`WITH ${SETTLING_CALL('$1')} SELECT reply_to, correlation_id FROM settled`);

/** Who waits for call `id`'s outcome, as its settled row has it. */
export function audienceOf(id: string, row: CallAudienceRow): Audience {
  if (row.reply_to === null) return { correlationId: row.correlation_id ?? undefined };
  const parsed = parseEnvelope(row.reply_to);
  if ('invalid' in parsed) throw new Error(`processor call ${id}: ${parsed.invalid}`);
  return { replyTo: parsed.envelope };
}

/** Processor calls, in the caller's transaction (or on the pool for one statement). */
export function callStore(db: Queryable) {
  return {
    /** Records a call to make, taken at once by the caller for `leaseMs`. */
    async record(request: CallRequest, audience: Audience, leaseMs: number): Promise<ProcessorCall> {
      const authorize = request.operation === 'authorize' ? request : undefined;
      const refund = request.operation === 'refund' ? request : undefined;
      const { rows } = await db.query<CallRow>(
        RECORD_CALL([
          randomUUID(),
          request.orderId,
          request.paymentId,
          request.operation,
          request.idempotencyKey,
          request.amount.amount,
          request.amount.currency,
          authorize?.userId ?? null,
          authorize?.paymentMethodId ?? null,
          refund?.refundId ?? null,
          refund?.reason ?? null,
          'replyTo' in audience ? JSON.stringify(audience.replyTo) : null,
          'correlationId' in audience ? (audience.correlationId ?? null) : null,
          leaseMs,
        ]),
      );
      return toCall(rows[0] as CallRow);
    },

    /**
     * The order as it is now (the caller holds its lock): its payment, locked, and its
     * unsettled call, if any, with when it is next tried if it failed and waits for
     * that (else it is being made now).
     */
    async orderNow(orderId: string): Promise<{
      payment: PaymentRow | undefined;
      inFlight: { retryInMs: number | undefined } | undefined;
    }> {
      const { rows } = await db.query<
        { in_flight: boolean; retry_in_ms: number | null } & Omit<PaymentRow, 'id'> & { id: string | null }
      >(ORDER_NOW([orderId]));
      const { in_flight, retry_in_ms, ...payment } = rows[0] ?? {
        in_flight: false,
        retry_in_ms: null,
        id: null,
      };
      return {
        payment: payment.id === null ? undefined : (payment as PaymentRow),
        inFlight: in_flight ? { retryInMs: retry_in_ms ?? undefined } : undefined,
      };
    },

    /**
     * Takes up to `limit` calls that are due (a retry's time come, or a taker's lease
     * ended) for `leaseMs`; SKIP LOCKED gives each to one instance.
     */
    async takeDue(limit: number, leaseMs: number): Promise<ProcessorCall[]> {
      const { rows } = await db.query<CallRow>(
        `WITH due AS (
           SELECT id FROM processor_calls WHERE state = 'pending' AND next_attempt_at <= now()
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE processor_calls c
         SET attempts = c.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
         FROM due WHERE c.id = due.id
         RETURNING c.${CALL_COLUMNS}`,
        [limit, leaseMs],
      );
      return rows.map(toCall);
    },

    /**
     * Marks the call settled, the card no longer kept, and says who waits for its
     * outcome; undefined if it was settled already (a taker whose lease ran out
     * answered late). One statement, in the settling transaction: should recording the
     * answer fail, the call is pending again.
     */
    async settle(id: string): Promise<Audience | undefined> {
      const { rows } = await db.query<CallAudienceRow>(SETTLE([id]));
      return rows[0] && audienceOf(id, rows[0]);
    },

    /** Tries the call again in `delayMs` (unless it was settled meanwhile). */
    async retryLater(id: string, delayMs: number, reason: string): Promise<void> {
      await db.query(
        `UPDATE processor_calls SET next_attempt_at = now() + make_interval(secs => $3::float8 / 1000),
           last_error = $2
         WHERE id = $1 AND state = 'pending'`,
        [id, reason, delayMs],
      );
    },

    /** Gives the call up: only for one the processor is known not to have acted on. */
    async abandon(id: string, reason: string): Promise<void> {
      await db.query(
        `UPDATE processor_calls SET state = 'abandoned', settled_at = now(), payment_method = NULL, last_error = $2
         WHERE id = $1 AND state = 'pending'`,
        [id, reason],
      );
    },
  };
}
