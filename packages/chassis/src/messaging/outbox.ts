import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PoolClient } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { BusDriver } from './driver.ts';
import type { Envelope } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';

const CHANNEL = 'outbox';

/**
 * Records `envelope` for publication in the caller's transaction: it leaves only if
 * that commits. The relay's wake-up (NOTIFY) goes in the same statement, one round
 * trip; PostgreSQL delivers it at commit, once per transaction however many events
 * the transaction adds.
 */
export async function appendToOutbox(client: PoolClient, envelope: Envelope): Promise<void> {
  await client.query(
    `WITH added AS (INSERT INTO outbox (event_id, type, envelope) VALUES ($1, $2, $3) RETURNING id)
     SELECT pg_notify('${CHANNEL}', '') FROM added`,
    [envelope.id, envelope.type, envelope],
  );
}

export interface RelayOptions {
  databaseUrl: string;
  service: string;
  driver: BusDriver;
  log: Logger;
  metrics: BusMetrics;
  batchSize?: number;
  /** Sent rows are deleted after this long (default 24 h). */
  retentionMs?: number;
  /** Inbox rows are deleted after this long (default 30 days); the relay's leader prunes them. */
  inboxRetentionMs?: number;
}

export interface Relay {
  stop(): Promise<void>;
}

interface OutboxRow {
  id: number;
  type: string;
  envelope: Envelope;
}

/**
 * Sends the outbox to the bus. One instance of a service leads at a time (a session
 * advisory lock), so rows go out once and in outbox order; the others wait to take
 * over if it dies. Rows of transactions that are still open, or that began before
 * one that is, are held back (`txid < xmin`), so a later row never overtakes an
 * earlier one that has not committed yet. A row is marked sent only after the bus
 * confirmed it: a crash in between sends it again (at least once).
 */
export function startRelay(options: RelayOptions): Relay {
  const { log, metrics, driver } = options;
  const batchSize = options.batchSize ?? 200;
  const retentionMs = options.retentionMs ?? 24 * 3600 * 1000;
  const inboxRetentionMs = options.inboxRetentionMs ?? 30 * 24 * 3600 * 1000;
  const lockKey = `outbox-relay:${options.service}`;
  let running = true;
  let client: pg.Client | undefined;
  let endWait: (() => void) | undefined;
  let signalled = false;

  const wait = (ms: number) =>
    signalled
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          endWait = () => {
            clearTimeout(timer);
            resolve();
          };
        }).finally(() => {
          endWait = undefined;
        });

  async function connect(): Promise<pg.Client> {
    const connection = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: 'outbox-relay',
    });
    connection.on('error', (error) => log.warn({ err: error }, 'outbox relay connection failed'));
    connection.on('notification', () => {
      signalled = true;
      endWait?.();
    });
    await connection.connect();
    await connection.query(`LISTEN ${CHANNEL}`);
    return connection;
  }

  async function relayBatch(connection: pg.Client): Promise<'sent' | 'held' | 'idle'> {
    const { rows } = await connection.query<OutboxRow>(
      `SELECT id, type, envelope FROM outbox
       WHERE sent_at IS NULL AND txid < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY id LIMIT $1`,
      [batchSize],
    );
    if (rows.length === 0) {
      const held = await connection.query('SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1');
      return held.rowCount ? 'held' : 'idle';
    }
    await driver.publish(rows.map((row) => row.envelope));
    await connection.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', [
      rows.map((row) => row.id),
    ]);
    for (const row of rows) metrics.published.inc({ type: row.type });
    return 'sent';
  }

  const loop = (async () => {
    let failures = 0;
    let lastPrune = 0;
    let heldSince: number | undefined;
    let lastHeldWarning = 0;
    // The lock belongs to the connection's session: a new connection must win it again.
    let leader = false;
    while (running) {
      try {
        if (!client) {
          client = await connect();
          leader = false;
        }
        signalled = false;
        if (!leader) {
          const { rows } = await client.query<{ won: boolean }>(
            'SELECT pg_try_advisory_lock(hashtext($1)) AS won',
            [lockKey],
          );
          leader = rows[0]?.won === true;
          if (!leader) {
            // Another instance relays; be ready to take over when it is gone.
            await sleep(2_000);
            continue;
          }
          log.info('outbox relay leading');
        }
        const outcome = await relayBatch(client);
        failures = 0;
        if (Date.now() - lastPrune > 60_000) {
          lastPrune = Date.now();
          await client.query(
            `DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1::float8 / 1000)`,
            [retentionMs],
          );
          // The inbox outlives any redelivery by far (bus retention is 7 days).
          await client.query(
            `DELETE FROM inbox WHERE handled_at < now() - make_interval(secs => $1::float8 / 1000)`,
            [inboxRetentionMs],
          );
        }
        if (outcome === 'held') {
          // xmin is cluster-wide: on a shared server, any long transaction holds us back.
          heldSince ??= Date.now();
          if (Date.now() - heldSince > 5_000 && Date.now() - lastHeldWarning > 60_000) {
            lastHeldWarning = Date.now();
            log.warn(
              { heldForMs: Date.now() - heldSince },
              'outbox rows held back behind an older open transaction on this PostgreSQL server',
            );
          }
          await sleep(10);
          continue;
        }
        heldSince = undefined;
        if (outcome === 'idle') await wait(1_000);
      } catch (error) {
        if (!running) break;
        failures += 1;
        metrics.publishFailures.inc();
        log.warn({ err: error, failures }, 'outbox relay could not publish; will retry');
        await client?.end().catch(() => undefined);
        client = undefined;
        await sleep(Math.min(100 * 2 ** failures, 5_000));
      }
    }
  })();

  return {
    async stop() {
      running = false;
      endWait?.();
      await loop;
      await client?.end().catch(() => undefined);
    },
  };
}
