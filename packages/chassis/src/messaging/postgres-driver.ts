import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPool, migrate } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { BusDriver, Delivery, Subscription } from './driver.ts';
import type { Envelope } from './envelope.ts';
import { type BusFaults, stormDeliverer, warnOfFaults } from './faults.ts';

const CHANNEL = 'bus';
const SAFETY_POLL_MS = 5_000;
const HISTORY_PAGE = 500;

/**
 * Calls `flush` once with every value given in the same turn of the event loop;
 * each caller's promise settles with that one call.
 */
function coalesced<T>(flush: (values: T[]) => Promise<void>): (value: T) => Promise<void> {
  let pending: { values: T[]; done: Promise<void> } | undefined;
  return (value) => {
    if (!pending) {
      const batch = { values: [] as T[], done: Promise.resolve() };
      batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        pending = undefined;
        return flush(batch.values);
      });
      pending = batch;
    }
    pending.values.push(value);
    return pending.done;
  };
}

interface ClaimedRow {
  seq: number;
  attempts: number;
  envelope: unknown;
}

/**
 * The embedded bus: a `bus` database on the platform's PostgreSQL. Publishing
 * inserts the message and one delivery row per subscribed group, then (after that
 * commits) NOTIFYs;
 * consumers sleep until a NOTIFY for one of their types (or a retry falling due)
 * wakes them, and claim rows with `FOR UPDATE SKIP LOCKED`, so the instances of a
 * group never take the same row. A claim is a lease: if the consumer dies, the row
 * is due again when the lease ends.
 */
export function createPostgresDriver(options: {
  url: string;
  log: Logger;
  leaseMs?: number;
  /** How long published messages are kept (for new groups and replays) once no group has them pending; default 365 days. */
  retentionMs?: number;
  /** Chaos testing only: deliveries repeated, acks dropped (faults.ts). */
  faults?: BusFaults | undefined;
}): BusDriver {
  const log = options.log;
  const leaseMs = options.leaseMs ?? 30_000;
  const pool = createPool({ url: options.url, applicationName: 'bus', log, max: 6 });
  const wakers = new Set<(types: string[] | 'all') => void>();
  let listener: pg.Client | undefined;
  let closed = false;
  let pruneTimer: NodeJS.Timeout | undefined;
  const retentionMs = options.retentionMs ?? 365 * 24 * 3600 * 1000;

  async function listen(): Promise<void> {
    while (!closed) {
      const client = new pg.Client({ connectionString: options.url, application_name: 'bus-listener' });
      // A connection that dies can emit 'error' more than once: every one is handled here.
      let lost: (() => void) | undefined;
      client.on('error', (error) => {
        if (!closed) log.warn({ err: error }, 'bus listener connection lost');
        lost?.();
      });
      client.on('end', () => lost?.());
      try {
        await client.connect();
        // Closed while connecting: close() could not end what did not exist yet.
        if (closed) break;
        client.on('notification', (message) => {
          const types = (message.payload ?? '').split(',');
          for (const wake of wakers) wake(types);
        });
        await client.query(`LISTEN ${CHANNEL}`);
        listener = client;
        // Anything published while we were not listening is picked up now.
        for (const wake of wakers) wake('all');
        await new Promise<void>((resolve) => {
          lost = resolve;
          if (closed) resolve();
        });
      } catch (error) {
        if (!closed) log.warn({ err: error }, 'bus listener could not connect; retrying');
      } finally {
        listener = undefined;
        await client.end().catch(() => undefined);
      }
      if (!closed) await sleep(1_000);
    }
  }

  /**
   * A group's first subscription to a type receives that type's retained history. A
   * publish fans out to the subscriptions its statement can see, so one running while
   * the subscription commits would miss it, and a copy of the history taken in the same
   * statement would miss that publish's messages. So the subscription commits first;
   * the publishes already running then are waited for (up to 10 s); the history is
   * copied after them, and again a second later. Each message then reaches the group
   * by one way or the other, or both (the inbox drops the second).
   */
  async function subscribeFirstTime(group: string, types: string[]): Promise<void> {
    const { rows: added } = await pool.query<{ type: string }>(
      `INSERT INTO bus_subscriptions (group_name, type) SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING RETURNING type`,
      [group, types],
    );
    if (added.length === 0) return;
    const { rows } = await pool.query<{ running: string[] }>(
      'SELECT array(SELECT pg_snapshot_xip(pg_current_snapshot())::text) AS running',
    );
    const running = rows[0]?.running ?? [];
    for (const deadline = Date.now() + 10_000; running.length > 0 && Date.now() < deadline; ) {
      const { rows: still } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM unnest($1::xid8[]) AS x WHERE pg_xact_status(x) = 'in progress'`,
        [running],
      );
      if ((still[0]?.n ?? 0) === 0) break;
      await sleep(10);
    }
    const copyHistory = () =>
      pool.query(
        `INSERT INTO bus_deliveries (group_name, seq)
         SELECT $1, m.seq FROM bus_messages m WHERE m.type = ANY($2::text[])
         ON CONFLICT DO NOTHING`,
        [group, added.map((row) => row.type)],
      );
    await copyHistory();
    // A publish whose statement began before the subscription committed but had not
    // written yet had no transaction id to wait for: copy once more, a second later.
    setTimeout(
      () =>
        void copyHistory().catch((error: unknown) => {
          if (!closed) log.warn({ err: error }, 'history copy failed');
        }),
      1_000,
    ).unref();
  }

  async function subscribe(
    group: string,
    types: string[],
    handOver: (delivery: Delivery) => Promise<void>,
    { concurrency }: { concurrency: number },
  ): Promise<Subscription> {
    await subscribeFirstTime(group, types);
    const deliver = stormDeliverer(handOver, options.faults);
    let running = true;
    // Set by a NOTIFY at any moment; checked before sleeping, so a wake-up that
    // arrives between an empty claim and the sleep is not lost.
    let signalled = false;
    let endWait: (() => void) | undefined;
    const wake = () => {
      signalled = true;
      endWait?.();
    };
    const waker = (woken: string[] | 'all') => {
      if (woken === 'all' || woken.some((type) => types.includes(type))) wake();
    };
    wakers.add(waker);

    let retried = false;
    // Acks settled in the same turn (a batch's, or concurrent handlers') go as one statement.
    const ack = coalesced(async (seqs: number[]) => {
      await pool.query('DELETE FROM bus_deliveries WHERE group_name = $1 AND seq = ANY($2::bigint[])', [
        group,
        seqs,
      ]);
    });
    const settle = (seq: number) => ({
      ack: () => ack(seq),
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
     * Claims the group's due rows (a lease) and, in the same round trip, how long
     * until the next of its other pending rows falls due: one statement per wake-up.
     * Rows another instance is claiming at this moment are skipped, not waited for.
     */
    async function claim(): Promise<{ rows: ClaimedRow[]; waitMs: number }> {
      const { rows } = await pool.query<ClaimedRow & { wait_ms: number | null; claimed: boolean }>(
        `WITH picked AS (
           SELECT seq FROM bus_deliveries
           WHERE group_name = $1 AND state = 'pending' AND available_at <= now()
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
         WHERE group_name = $1 AND state = 'pending' AND seq NOT IN (SELECT seq FROM picked)`,
        [group, concurrency, leaseMs],
      );
      const claimed = rows.filter((row) => row.claimed).sort((a, b) => a.seq - b.seq);
      const ms = rows.find((row) => !row.claimed)?.wait_ms;
      const waitMs =
        ms === null || ms === undefined ? SAFETY_POLL_MS : Math.max(0, Math.min(ms, SAFETY_POLL_MS));
      return { rows: claimed, waitMs };
    }

    const loop = (async () => {
      while (running) {
        try {
          signalled = false;
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
          if (waitMs === 0 || signalled || !running) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            endWait = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          endWait = undefined;
        } catch (error) {
          if (!running) break;
          log.warn({ err: error, group }, 'bus consumer could not reach the bus database; retrying');
          await sleep(1_000);
        }
      }
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
        wake();
        await loop;
      },
    };
  }

  return {
    name: 'postgres',
    async start() {
      warnOfFaults(log, 'postgres', options.faults);
      await migrate(pool, new URL('../../migrations/bus/', import.meta.url), {
        log,
        table: 'bus_migrations',
      });
      void listen();
      // Messages are kept for new groups and replays, then pruned, unless some group
      // still has them pending. Any instance may prune: the statement is idempotent.
      pruneTimer = setInterval(() => {
        pool
          .query(
            `DELETE FROM bus_messages m
             WHERE published_at < now() - make_interval(secs => $1::float8 / 1000)
               AND NOT EXISTS (SELECT 1 FROM bus_deliveries d WHERE d.seq = m.seq AND d.state = 'pending')`,
            [retentionMs],
          )
          .catch((error: unknown) => log.warn({ err: error }, 'could not prune bus messages'));
      }, 600_000);
      pruneTimer.unref();
    },
    async publish(envelopes: Envelope[]) {
      if (envelopes.length === 0) return;
      // Insert in order (seq follows the outbox order) and fan out to every group
      // subscribed to the type; then wake consumers, after the commit: a NOTIFY inside
      // the insert's transaction would hold the server-wide notify lock through its fsync.
      const { rows } = await pool.query<{ types: string | null }>(
        `WITH input AS (
           SELECT e.value AS envelope, e.value->>'id' AS event_id, e.value->>'type' AS type, e.ordinality AS ord
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e),
         stored AS (
           INSERT INTO bus_messages (event_id, type, envelope)
           SELECT event_id, type, envelope FROM input ORDER BY ord
           ON CONFLICT (event_id) DO NOTHING RETURNING seq, type),
         fanned AS (
           INSERT INTO bus_deliveries (group_name, seq)
           SELECT s.group_name, stored.seq FROM stored JOIN bus_subscriptions s ON s.type = stored.type)
         SELECT string_agg(DISTINCT type, ',') AS types FROM input`,
        [JSON.stringify(envelopes)],
      );
      // Lost only if this process dies right here: consumers then find the rows at
      // their safety poll.
      await pool
        .query(`SELECT pg_notify('${CHANNEL}', $1)`, [rows[0]?.types ?? ''])
        .catch((error: unknown) => log.warn({ err: error }, 'published, but could not wake the consumers'));
    },
    subscribe,
    async history(types, visit) {
      // Keyset pages in bus order: messages published meanwhile are read too, never twice.
      let after = '0';
      for (;;) {
        const { rows } = await pool.query<{ seq: string; envelope: unknown }>(
          'SELECT seq, envelope FROM bus_messages WHERE type = ANY($1) AND seq > $2 ORDER BY seq LIMIT $3',
          [types, after, HISTORY_PAGE],
        );
        for (const row of rows) await visit(row.envelope);
        const last = rows.at(-1);
        if (!last || rows.length < HISTORY_PAGE) return;
        after = last.seq;
      }
    },
    async ping() {
      await pool.query('SELECT 1');
      if (!listener) throw new Error('bus listener is not connected');
    },
    async close() {
      closed = true;
      clearInterval(pruneTimer);
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
