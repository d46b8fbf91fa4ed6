import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { commitThenNotify, createPool, literal } from '../db.ts';
import type { Logger } from '../logger.ts';
import { migrate } from '../migrations.ts';
import type { BusDriver, Delivery, Subscription } from './driver.ts';
import type { Envelope } from './envelope.ts';
import { type BusFaults, stormDeliverer, warnOfFaults } from './faults.ts';
import { consumeGroup } from './postgres-consumer.ts';

const CHANNEL = 'bus';
const HISTORY_PAGE = 500;

/**
 * Stores `envelopes` in order (seq follows the outbox order), with a delivery row for
 * every group subscribed to each one's type. Sent in one message with its BEGIN,
 * COMMIT and the NOTIFY after it (`commitThenNotify`), so the envelopes are inlined.
 */
const publishStatement = (envelopes: Envelope[]) => `
  WITH input AS (
    SELECT e.value AS envelope, e.value->>'id' AS event_id, e.value->>'type' AS type, e.ordinality AS ord
    FROM jsonb_array_elements(${literal(JSON.stringify(envelopes))}::jsonb) WITH ORDINALITY AS e),
  stored AS (
    INSERT INTO bus_messages (event_id, type, envelope)
    SELECT event_id, type, envelope FROM input ORDER BY ord
    ON CONFLICT (event_id) DO NOTHING RETURNING seq, type)
  INSERT INTO bus_deliveries (group_name, seq)
  SELECT s.group_name, stored.seq FROM stored JOIN bus_subscriptions s ON s.type = stored.type`;

/**
 * The embedded bus: a `bus` database on the platform's PostgreSQL. Publishing
 * inserts the message and one delivery row per subscribed group, then (after that
 * commits) NOTIFYs; each group's instances claim and settle their rows
 * (postgres-consumer.ts), so the instances of a group never take the same row.
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
  // The prepared statements here (a group's claim and its acks) take a group and lists of
  // rows; a plan made once serves every group (the pending index leads with the group).
  const pool = createPool({ url: options.url, applicationName: 'bus', log, max: 6, genericPlans: true });
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
    return consumeGroup({
      pool,
      log,
      group,
      types,
      deliver: stormDeliverer(handOver, options.faults),
      concurrency,
      leaseMs,
      wakers,
    });
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
      // Insert in order and fan out to every group subscribed to the type, then wake
      // the consumers after the commit, in the same round trip: a NOTIFY inside the
      // insert's transaction would hold the server-wide notify lock through its fsync.
      const types = [...new Set(envelopes.map((envelope) => envelope.type))].join(',');
      await commitThenNotify(pool, publishStatement(envelopes), [CHANNEL, types]);
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
