import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { instrumentPool } from './metrics.ts';
import { migrate } from './migrations.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'>;

// int8 (bigint, count(*)) as a JS number: every count and amount here fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/**
 * A connection pool that logs (rather than crashes on) errors of idle connections.
 * `genericPlans`: the connections plan each prepared statement once and keep that plan
 * (`plan_cache_mode = force_generic_plan`), for a service whose prepared statements
 * all take only lists of ids, which a custom plan would re-plan on every run for
 * nothing (decision 037, later).
 */
export function createPool(options: {
  url: string;
  max?: number;
  applicationName: string;
  log: Logger;
  genericPlans?: boolean;
}): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    ...(options.genericPlans ? { options: '-c plan_cache_mode=force_generic_plan' } : {}),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => options.log.warn({ err: error }, 'idle database connection failed'));
  return pool;
}

/**
 * `value` as an SQL string literal, for a statement sent with BEGIN or COMMIT: the
 * protocol that runs several statements in one message takes no parameters, so
 * values are inlined, escaped (quotes doubled, and backslashes where present, in an
 * `E''` string). The same text as node-postgres's `escapeLiteral`, which builds it a
 * character at a time: 46 µs for 4 kB of envelopes, against 3 µs here.
 */
export const literal = (value: string): string =>
  value.includes('\\')
    ? ` E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
    : `'${value.replaceAll("'", "''")}'`;

/**
 * A statement PostgreSQL parses and plans once per connection, not on every run: a
 * named prepared statement, named after its text (so one text is one name, and no two
 * texts share one). For the statements every order runs several times: parsing and
 * planning them was as much CPU as running them (decision 037). After five runs the
 * server keeps a generic plan when it costs no more than the custom ones.
 */
export function prepared(text: string): (values: unknown[]) => pg.QueryConfig {
  const name = `p${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  return (values) => ({ name, text, values });
}

/** What `work` may do with its transaction's first and last round trips. */
export interface TransactionScope {
  /** What the `startWith` statement returned (undefined without one). */
  readonly started: pg.QueryResult | undefined;
  /**
   * Sends `statement` in the same round trip as COMMIT: if it fails, COMMIT never
   * runs and everything rolls back. Values inlined with `literal`; the last one given wins.
   */
  finishWith(statement: string): void;
  /**
   * `NOTIFY channel, payload` just after COMMIT, in its round trip, and only if it
   * commits (the same pair once however often asked). Outside the transaction, so its
   * commit does not queue behind every notifying one on the server (decision 023).
   */
  notifyAfterCommit(channel: string, payload: string): void;
}

/**
 * The NOTIFYs of a committed transaction, as the statement after its COMMIT. That runs
 * in a transaction of its own, in the same message: were it to fail, the caller would
 * see an error for a transaction that committed. NOTIFY fails only when the server's
 * notification queue is full (a listener stuck for gigabytes), so they are dropped
 * once it is half full: a listener misses a wake-up, nothing is written twice.
 */
function noticesAfterCommit(notices: Iterable<[string, string]>): string {
  const rows = [...notices].map(([channel, payload]) => `(${literal(channel)}, ${literal(payload)})`);
  return `SELECT pg_notify(n.channel, n.payload) FROM (VALUES ${rows.join(', ')}) AS n(channel, payload)
    WHERE pg_notification_queue_usage() < 0.5`;
}

/**
 * A connection of `pool` for the transaction `use` runs on it, rolled back if `use`
 * throws. The pool listens to a connection's errors only while it is idle in the pool.
 * One that fails while checked out, between statements, would have no listener and
 * crash the process; caught here, the next statement fails instead, and the connection
 * is discarded rather than returned to the pool.
 */
async function transactionOn<T>(pool: Pool, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await use(client);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * Runs `work` in one transaction: committed if it resolves, rolled back if it throws.
 * `startWith` is a statement sent with BEGIN (values inlined with `literal`), its result
 * handed to `work`; with `finishWith`, the first and last statements cost no round
 * trips of their own (a statement is a process wake-up on both ends: decision 036),
 * nor do NOTIFYs after the commit (`notifyAfterCommit`).
 */
export function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient, scope: TransactionScope) => Promise<T>,
  options: { startWith?: string } = {},
): Promise<T> {
  return transactionOn(pool, async (client) => {
    const opened: pg.QueryResult | pg.QueryResult[] = await client.query(
      options.startWith === undefined ? 'BEGIN' : `BEGIN; ${options.startWith}`,
    );
    let finishing: string | undefined;
    const notices = new Map<string, [string, string]>();
    const scope: TransactionScope = {
      started: Array.isArray(opened) ? opened[1] : undefined,
      finishWith: (statement) => {
        finishing = statement;
      },
      notifyAfterCommit: (channel, payload) => void notices.set(`${channel}\n${payload}`, [channel, payload]),
    };
    const result = await work(client, scope);
    const closing = [...(finishing === undefined ? [] : [finishing]), 'COMMIT'];
    if (notices.size > 0) closing.push(noticesAfterCommit(notices.values()));
    await client.query(closing.join('; '));
    return result;
  });
}

/**
 * `statement` (values inlined with `literal`) committed on its own, then `NOTIFY
 * channel, payload` in a transaction of its own, all in one round trip: BEGIN, the
 * statement, COMMIT and the NOTIFY in one message, where the statement and a NOTIFY
 * after it cost two. The NOTIFY is sent only if the statement committed, and outside
 * its transaction (decision 023). Answers the statement's result.
 */
export function commitThenNotify(
  pool: Pool,
  statement: string,
  notice: [channel: string, payload: string],
): Promise<pg.QueryResult> {
  return transactionOn(pool, async (client) => {
    const results = (await client.query(
      `BEGIN; ${statement}; COMMIT; ${noticesAfterCommit([notice])}`,
    )) as unknown as pg.QueryResult[];
    const result = results[1];
    if (!result) throw new Error('the statement answered nothing');
    return result;
  });
}

/** The parts of a service that `openDatabase` wires the pool into. */
interface DatabaseHost {
  readonly name: string;
  readonly log: Logger;
  readonly metrics: Registry;
  addReadinessCheck(name: string, check: () => Promise<unknown>): void;
  onShutdown(cleanup: () => Promise<void>): void;
}

/**
 * A service's own database: the pool (with metrics), a readiness check, the
 * migrations applied, and the pool closed after HTTP has drained at shutdown.
 */
export async function openDatabase(
  service: DatabaseHost,
  options: { url: string; max?: number; migrations?: string | URL; genericPlans?: boolean },
): Promise<Pool> {
  const pool = createPool({
    url: options.url,
    applicationName: service.name,
    log: service.log,
    max: options.max ?? 10,
    ...(options.genericPlans ? { genericPlans: true } : {}),
  });
  instrumentPool(service.metrics, pool);
  service.addReadinessCheck('database', () => pool.query('SELECT 1'));
  service.onShutdown(() => pool.end());
  if (options.migrations) await migrate(pool, options.migrations, { log: service.log });
  return pool;
}
