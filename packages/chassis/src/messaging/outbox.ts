import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { literal, type PoolClient, prepared } from '../db.ts';
import type { Logger } from '../logger.ts';
import { backoffDelay } from '../resilience/backoff.ts';
import type { BusDriver } from './driver.ts';
import type { Envelope } from './envelope.ts';
import type { BusMetrics } from './metrics.ts';
import { wakeUp } from './wake-up.ts';

const CHANNEL = 'outbox';

/**
 * The statement that records `envelopes` for publication, sent with the caller's
 * COMMIT (`TransactionScope.finishWith`): they leave only if it commits. The relay is
 * woken after the commit (`Relay.wake`, or a NOTIFY on `outbox` from another
 * instance), never by a NOTIFY inside the transaction: PostgreSQL serialises the
 * commits of every transaction that notifies, fsync included, on one lock for the
 * whole server, which halved the commits a second the platform could make (decision 021).
 */
export function outboxInsert(envelopes: Envelope[]): string {
  // One statement for all of them; ids follow the order they were published in.
  return `INSERT INTO outbox (event_id, type, envelope)
    SELECT (e.value->>'id')::uuid, e.value->>'type', e.value
    FROM jsonb_array_elements(${literal(JSON.stringify(envelopes))}::jsonb) WITH ORDINALITY AS e
    ORDER BY e.ordinality`;
}

/** Wakes the relay of whichever instance leads: sent after the commit, outside any transaction. */
export async function notifyRelay(pool: Pick<PoolClient, 'query'>): Promise<void> {
  await pool.query(`SELECT pg_notify('${CHANNEL}', '')`);
}

/**
 * Whether the relay should warn that rows are stuck: held back for over 5 s with
 * nothing going out (at most once a minute). Rows that go out while others are held
 * show those others are only behind transactions still committing, not stuck behind
 * a long one (then nothing newer than it can go out). Returns how long they have been
 * held when it is time to warn.
 */
export function heldBackWatch(): (
  relayed: { sent: number; held: boolean },
  now: number,
) => number | undefined {
  let heldSince: number | undefined;
  let lastWarning = Number.NEGATIVE_INFINITY;
  return ({ sent, held }, now) => {
    if (sent > 0 || !held) heldSince = undefined;
    if (!held) return undefined;
    heldSince ??= now;
    if (now - heldSince <= 5_000 || now - lastWarning <= 60_000) return undefined;
    lastWarning = now;
    return now - heldSince;
  };
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
  /** Whether this instance's relay holds the lead (sends the outbox). */
  leading(): boolean;
  /** Looks at the outbox now: a transaction of this instance has just committed events. */
  wake(): void;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: number;
  type: string;
  envelope: Envelope;
}

/**
 * Marks the rows $2 sent (those the relay published last), then claims $1 rows at
 * most, in outbox order, of those written by transactions that ended before the
 * oldest one still open in this database (no later row can then overtake them), and a
 * marker row (no id) when any row waits behind such a transaction. The claim runs on
 * the statement's snapshot, which does not see the mark: the rows just marked are
 * left out by id.
 *
 * The relay's connection plans it by index only (`RELAY_SESSION`): a row marked sent
 * leaves an old version in `outbox_unsent_idx` until a vacuum, and the bitmap scan the
 * planner otherwise prefers fetches every one of them from the table on every claim,
 * where a walk of the index in order marks them dead as it passes (decision 037).
 */
export const MARK_AND_CLAIM = prepared(`
  WITH marked AS (UPDATE outbox SET sent_at = now() WHERE id = ANY($2::bigint[])),
  running AS (
    SELECT min(x) AS oldest FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE (x::text::bigint % 4294967296)::text::xid NOT IN (
      SELECT backend_xid FROM pg_stat_activity
      WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()))
  (SELECT id, type, envelope FROM outbox, running
   WHERE sent_at IS NULL AND id <> ALL($2::bigint[]) AND (running.oldest IS NULL OR txid < running.oldest)
   ORDER BY id LIMIT $1)
  UNION ALL
  (SELECT NULL, NULL, NULL FROM outbox, running
   WHERE sent_at IS NULL AND id <> ALL($2::bigint[]) AND running.oldest IS NOT NULL
     AND txid >= running.oldest LIMIT 1)`);

/**
 * How the relay's connection plans: every statement of the relay goes through an index
 * (see MARK_AND_CLAIM; without sequential scans too, or the mark reads the whole table
 * to find its rows by id), and keeps the one generic plan it settles on, so a claim is
 * not planned afresh each time once the table's statistics change.
 */
export const RELAY_SESSION =
  'SET enable_bitmapscan = off; SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan';

const MARK_SENT = prepared('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])');

/**
 * How long rows that went out wait for the next claim to mark them sent in its
 * statement, before a statement of their own does: a relay woken again within it (every
 * service's at a dozen orders a second) spends one commit of its database a batch, not two.
 * A crash before the mark sends them again, which the bus drops by event id.
 */
export const MARK_DELAY_MS = 250;
/** How often an idle relay looks at the outbox unwoken (a commit of this instance or a NOTIFY wakes it at once). */
const IDLE_LOOK_MS = 1_000;
/** How often a standing-by instance tries to take over the lead. */
const STANDBY_LOOK_MS = 2_000;
/** After the relay's connection or a publish failed: 200 ms, doubling, at most 5 s. */
const RECONNECT_BACKOFF = { baseDelayMs: 200, maxDelayMs: 5_000 };

/**
 * Sends the outbox to the bus. One instance of a service leads at a time (a session
 * advisory lock), so rows go out once and in outbox order; the others wait to take
 * over if it dies. Rows of transactions that are still open, or that began before
 * one that is, are held back (`txid < xmin`), so a later row never overtakes an
 * earlier one that has not committed yet (open transactions of other databases on the
 * same server do not count). A row is marked sent only after the bus
 * confirmed it: a crash in between sends it again (at least once).
 */
export function startRelay(options: RelayOptions): Relay {
  const { log, metrics, driver } = options;
  const batchSize = options.batchSize ?? 200;
  const retentionMs = options.retentionMs ?? 24 * 3600 * 1000;
  const inboxRetentionMs = options.inboxRetentionMs ?? 30 * 24 * 3600 * 1000;
  const lockKey = `outbox-relay:${options.service}`;
  let running = true;
  // Ends a standby's wait for its next try at the lock when the relay stops.
  const stopping = new AbortController();
  let client: pg.Client | undefined;
  // Ended by a commit of this instance (`wake`), a NOTIFY from another, or a stop.
  const woken = wakeUp();
  // Published, not yet marked sent: the next claim marks them, or `markPublished`.
  let published: number[] = [];
  // The lock belongs to the connection's session: a new connection must win it again.
  let leader = false;

  async function connect(): Promise<pg.Client> {
    const connection = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: 'outbox-relay',
    });
    connection.on('error', (error) => log.warn({ err: error }, 'outbox relay connection failed'));
    connection.on('notification', () => woken.wake());
    await connection.connect();
    await connection.query(`${RELAY_SESSION}; LISTEN ${CHANNEL}`);
    return connection;
  }

  /**
   * Sends the rows ready to go, and says whether rows are held back. Held back: rows
   * at or after the oldest transaction still running in this database (it may yet
   * commit a row with a smaller id). Transactions of other databases on the same
   * server do not count; one that ends while this statement runs is counted anyway,
   * which only holds back, never lets through. One statement marks the last rows sent,
   * claims and tells both (the held marker is the row with no id), so a busy relay
   * costs a round trip a batch besides the publish.
   */
  async function relayBatch(connection: pg.Client): Promise<{ sent: number; held: boolean }> {
    const { rows } = await connection.query<OutboxRow | { id: null }>(MARK_AND_CLAIM([batchSize, published]));
    published = [];
    const ready = rows.filter((row): row is OutboxRow => row.id !== null);
    const held = ready.length < rows.length;
    if (ready.length === 0) return { sent: 0, held };
    await driver.publish(ready.map((row) => row.envelope));
    published = ready.map((row) => row.id);
    for (const row of ready) metrics.published.inc({ type: row.type });
    return { sent: ready.length, held };
  }

  /** Marks the rows published last sent, before the relay waits or stops. */
  async function markPublished(connection: pg.Client): Promise<void> {
    if (published.length === 0) return;
    await connection.query(MARK_SENT([published]));
    published = [];
  }

  const loop = (async () => {
    let failures = 0;
    let lastPrune = 0;
    const heldTooLong = heldBackWatch();
    while (running) {
      try {
        if (!client) {
          client = await connect();
          leader = false;
        }
        woken.reset();
        if (!leader) {
          const { rows } = await client.query<{ won: boolean }>(
            'SELECT pg_try_advisory_lock(hashtext($1)) AS won',
            [lockKey],
          );
          leader = rows[0]?.won === true;
          if (!leader) {
            // Another instance relays; be ready to take over when it is gone.
            await sleep(STANDBY_LOOK_MS, undefined, { signal: stopping.signal }).catch(() => undefined);
            continue;
          }
          log.info('outbox relay leading');
        }
        const { sent, held } = await relayBatch(client);
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
        const heldForMs = heldTooLong({ sent, held }, Date.now());
        if (heldForMs !== undefined) {
          log.warn({ heldForMs }, 'outbox rows held back behind an older open transaction in this database');
        }
        if (held) {
          // Until the transaction holding them back ends: its commit wakes the relay if
          // it wrote rows, else the next look is 10 ms away.
          await woken.sleep(10);
          continue;
        }
        // A full batch may have left more behind, and a commit since the claim has woken
        // the relay (`wake`, or a NOTIFY from another instance): claim again at once,
        // marking what went out in the same statement. Otherwise everything committed
        // before the claim went out: wait to be woken, marking what went out with the
        // next claim if one comes within MARK_DELAY_MS, else on its own.
        if (sent < batchSize && !woken.signalled) {
          await woken.sleep(MARK_DELAY_MS);
          if (woken.signalled || !running) continue;
          await markPublished(client);
          await woken.sleep(IDLE_LOOK_MS - MARK_DELAY_MS);
        }
      } catch (error) {
        if (!running) break;
        failures += 1;
        metrics.publishFailures.inc();
        log.warn({ err: error, failures }, 'outbox relay could not publish; will retry');
        await client?.end().catch(() => undefined);
        client = undefined;
        leader = false;
        await sleep(backoffDelay(failures, RECONNECT_BACKOFF), undefined, { signal: stopping.signal }).catch(
          () => undefined,
        );
      }
    }
    // Whatever went out last is marked before the connection closes (else it goes again).
    if (client && leader) {
      await markPublished(client).catch((error: unknown) =>
        log.warn({ err: error }, 'outbox relay could not mark its last rows sent; they will go again'),
      );
    }
  })();

  return {
    leading: () => leader && running,
    wake: () => woken.wake(),
    async stop() {
      running = false;
      stopping.abort();
      woken.wake();
      await loop;
      await client?.end().catch(() => undefined);
    },
  };
}
