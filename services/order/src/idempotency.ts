// Idempotency keys for POST /orders: the first request with a key claims it; the same
// key and body later (or concurrently) gets the first answer; a different body, 422.
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, Queryable } from '@platform/chassis';
import { IdempotencyKeyInProgress, IdempotencyKeyReused } from './errors.ts';

const WAIT_FOR_FIRST_MS = 20_000;
/** A claim this old without an answer belongs to a process that died: take it over. */
const ABANDONED_AFTER_SECONDS = 60;

/** Key order does not change a JSON body's meaning, so it does not change its hash. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('hex');
}

export interface Answer<T> {
  statusCode: number;
  body: T;
}

/** Records the answer in `db`: call it inside the transaction that does the work. */
export type Remember<T> = (db: Queryable, answer: Answer<T>) => Promise<void>;

/**
 * Runs `work` once per (user, key): concurrent and later repeats wait for and return
 * its answer, which `work` records with `remember` in its own transaction (so the
 * order and its answer commit together). If `work` fails, the claim is dropped, so
 * the key may be retried.
 */
export async function oncePerKey<T>(
  pool: Pool,
  claim: { userId: string; key: string; body: unknown },
  work: (orderId: string, remember: Remember<T>) => Promise<Answer<T>>,
): Promise<Answer<T>> {
  const hash = requestHash(claim.body);
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const orderId = randomUUID();
    const won = await pool.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, key) DO UPDATE SET order_id = $4, created_at = now()
         WHERE idempotency_keys.status_code IS NULL AND idempotency_keys.request_hash = $3
           AND idempotency_keys.created_at < now() - make_interval(secs => $5)`,
      [claim.userId, claim.key, hash, orderId, ABANDONED_AFTER_SECONDS],
    );
    if (won.rowCount === 1) {
      const remember: Remember<T> = async (db, answer) => {
        await db.query(
          'UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE user_id = $1 AND key = $2',
          [claim.userId, claim.key, answer.statusCode, JSON.stringify(answer.body)],
        );
      };
      try {
        return await work(orderId, remember);
      } catch (error) {
        await pool.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2', [
          claim.userId,
          claim.key,
        ]);
        throw error;
      }
    }
    const { rows } = await pool.query<{
      request_hash: string;
      status_code: number | null;
      response: T | null;
    }>('SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2', [
      claim.userId,
      claim.key,
    ]);
    const existing = rows[0];
    if (existing && existing.request_hash !== hash) {
      throw new IdempotencyKeyReused('Use a new Idempotency-Key for a different order');
    }
    if (existing?.status_code != null && existing.response !== null) {
      return { statusCode: existing.status_code, body: existing.response };
    }
    if (Date.now() > deadline) throw new IdempotencyKeyInProgress('Try again in a moment');
    // Claimed by a request still running (or gone: then the claim is free again).
    await sleep(50);
  }
}
