// One consumer group's instance on the embedded bus: it sleeps until a NOTIFY for
// one of its types (or a retry falling due) wakes it, claims due rows with
// `FOR UPDATE SKIP LOCKED` (a lease: if it dies, the row is due again when the lease
// ends), hands them over, and deletes the handled ones with its next claim (or on
// their own when no claim comes within ACK_DELAY_MS).
import { setTimeout as sleep } from 'node:timers/promises';
import { type Pool, prepared } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { Delivery, Subscription } from './driver.ts';
import { wakeUp } from './wake-up.ts';

const SAFETY_POLL_MS = 5_000;
/**
 * How long handled rows wait for the group's next claim to delete them in its
 * statement, before a statement of their own does. A group woken again within it (any
 * group of a checkout at a dozen orders a second) spends one bus commit a wake-up, not two.
 */
export const ACK_DELAY_MS = 250;

/** $1 group, $2 rows handled: deleted (when no claim follows soon to take them along). */
const DELETE_ACKED = prepared('DELETE FROM bus_deliveries WHERE group_name = $1 AND seq = ANY($2::bigint[])');

/**
 * $1 group, $2 how many, $3 lease (ms), $4 rows handled since the last claim: those
 * deleted, the group's due rows claimed, and when the next of its others falls due.
 */
const CLAIM = prepared(`
  WITH done AS (
    DELETE FROM bus_deliveries WHERE group_name = $1 AND seq = ANY($4::bigint[])),
  picked AS (
    SELECT seq FROM bus_deliveries
    WHERE group_name = $1 AND state = 'pending' AND available_at <= now() AND seq <> ALL($4::bigint[])
    ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED),
  claimed AS (
    UPDATE bus_deliveries d
    SET attempts = d.attempts + 1, available_at = now() + make_interval(secs => $3::float8 / 1000)
    FROM picked, bus_messages m
    WHERE d.group_name = $1 AND d.seq = picked.seq AND m.seq = d.seq
    RETURNING d.seq, d.attempts, m.envelope)
  SELECT true AS claimed, seq, attempts, envelope, NULL::int AS wait_ms FROM claimed
  UNION ALL
  SELECT false, NULL, NULL, NULL, ceil(extract(epoch FROM min(available_at) - now()) * 1000)::int
  FROM bus_deliveries
  WHERE group_name = $1 AND state = 'pending' AND seq NOT IN (SELECT seq FROM picked)
    AND seq <> ALL($4::bigint[])`);

interface ClaimedRow {
  seq: number;
  attempts: number;
  envelope: unknown;
}

export function consumeGroup(options: {
  pool: Pool;
  log: Logger;
  group: string;
  types: string[];
  deliver: (delivery: Delivery) => Promise<void>;
  concurrency: number;
  leaseMs: number;
  /** The driver's listener calls each with the types a NOTIFY named ('all' after reconnecting). */
  wakers: Set<(types: string[] | 'all') => void>;
}): Subscription {
  const { pool, log, group, types, deliver, concurrency, leaseMs, wakers } = options;
  let running = true;
  // A NOTIFY for one of the group's types, at any moment: one that arrives between an
  // empty claim and the sleep keeps the sleep from beginning.
  const woken = wakeUp();
  const waker = (named: string[] | 'all') => {
    if (named === 'all' || named.some((type) => types.includes(type))) woken.wake();
  };
  wakers.add(waker);

  let retried = false;
  // Handled rows wait here to be deleted: with the next claim, in its statement, when
  // the group is woken again within ACK_DELAY_MS (or at once, busy), else on their own.
  // One lost with a crash is only redelivered when its lease ends, and the inbox drops it.
  let acked: number[] = [];
  const takeAcked = () => {
    const seqs = acked;
    acked = [];
    return seqs;
  };
  async function deleteAcked(): Promise<void> {
    const seqs = takeAcked();
    if (seqs.length === 0) return;
    try {
      await pool.query(DELETE_ACKED([group, seqs]));
    } catch (error) {
      acked.push(...seqs);
      throw error;
    }
  }
  const settle = (seq: number) => ({
    ack: async () => void acked.push(seq),
    retry: async (delayMs: number, reason: string) => {
      retried = true;
      await pool.query(
        `UPDATE bus_deliveries SET available_at = now() + make_interval(secs => $3::float8 / 1000), last_error = $4
         WHERE group_name = $1 AND seq = $2`,
        [group, seq, delayMs, reason],
      );
    },
    drop: async (reason: string) => {
      await pool.query(
        `UPDATE bus_deliveries SET state = 'dead', last_error = $3 WHERE group_name = $1 AND seq = $2`,
        [group, seq, reason],
      );
    },
  });

  /**
   * Deletes the rows handled since the last claim, claims the group's due rows (a
   * lease) and, in the same round trip, how long until the next of its other pending
   * rows falls due: one statement per wake-up. Rows another instance is claiming at
   * this moment are skipped, not waited for.
   */
  async function claim(): Promise<{ rows: ClaimedRow[]; waitMs: number }> {
    const done = takeAcked();
    const result = await pool
      .query<ClaimedRow & { wait_ms: number | null; claimed: boolean }>(
        CLAIM([group, concurrency, leaseMs, done]),
      )
      .catch((error: unknown) => {
        acked.push(...done);
        throw error;
      });
    const claimed = result.rows.filter((row) => row.claimed).sort((a, b) => a.seq - b.seq);
    const ms = result.rows.find((row) => !row.claimed)?.wait_ms;
    const waitMs =
      ms === null || ms === undefined ? SAFETY_POLL_MS : Math.max(0, Math.min(ms, SAFETY_POLL_MS));
    return { rows: claimed, waitMs };
  }

  const loop = (async () => {
    while (running) {
      try {
        woken.reset();
        retried = false;
        const { rows, waitMs } = await claim();
        if (rows.length > 0) {
          await Promise.all(
            rows.map((row) => deliver({ body: row.envelope, attempt: row.attempts, ...settle(row.seq) })),
          );
          // A full claim may have left more behind, and a retry set a due time the
          // claim could not know; otherwise the claim took all that was due.
          if (rows.length === concurrency || retried) continue;
        }
        if (waitMs === 0 || woken.signalled || !running) continue;
        if (acked.length > 0 && waitMs > ACK_DELAY_MS) {
          // A wake-up within the delay claims at once, deleting these in its statement.
          await woken.sleep(ACK_DELAY_MS);
          if (woken.signalled || !running) continue;
          await deleteAcked();
          await woken.sleep(waitMs - ACK_DELAY_MS);
        } else {
          await woken.sleep(waitMs);
        }
      } catch (error) {
        if (!running) break;
        log.warn({ err: error, group }, 'bus consumer could not reach the bus database; retrying');
        await sleep(1_000);
      }
    }
    await deleteAcked().catch((error: unknown) =>
      log.warn(
        { err: error, group },
        'could not delete handled deliveries; they come again after their lease',
      ),
    );
  })();

  return {
    async pending() {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*) AS n FROM bus_deliveries WHERE group_name = $1 AND state = 'pending'`,
        [group],
      );
      return rows[0]?.n ?? 0;
    },
    async stop() {
      running = false;
      wakers.delete(waker);
      woken.wake();
      await loop;
    },
  };
}
