// The statements and transactions each database ran while orders were placed and
// settled, from PostgreSQL's own counters: pg_stat_statements (loaded by the
// benchmark's platform, PLATFORM_PG_SETTINGS) counts every statement a client sent,
// BEGIN and COMMIT included; pg_stat_database.xact_commit counts commits (a statement
// outside a transaction is one), xact_rollback the transactions undone (a handler that
// failed, a batch retried one by one) and deadlocks those the server broke. Divided by the orders confirmed, they are the round
// trips an order costs each database: figures that do not depend on how fast or busy
// the machine is.
import { setTimeout as sleep } from 'node:timers/promises';
import { withAdminConnection } from '../../tools/chaos/src/faults.ts';

/**
 * What the embedded server must load for the statement counts (and the time planning
 * them), and the commit times legs.ts reads.
 */
export const STATEMENT_COUNTING =
  'shared_preload_libraries=pg_stat_statements pg_stat_statements.track_planning=on track_commit_timestamp=on';

export interface Counts {
  statements: Map<string, number>;
  commits: Map<string, number>;
  rollbacks: Map<string, number>;
  deadlocks: Map<string, number>;
  /** Milliseconds the server spent planning and running statements. */
  planningMs: Map<string, number>;
  runningMs: Map<string, number>;
  /** Each statement's calls so far, by database and text (`database\u0000text`). */
  byStatement: Map<string, number>;
  /** Each statement's milliseconds planning so far, keyed as `byStatement`. */
  planningByStatement: Map<string, number>;
  /** Each statement's milliseconds running so far, keyed as `byStatement`. */
  runningByStatement: Map<string, number>;
}

/**
 * Each database's statements and commits so far. A backend reports its counts when
 * it goes idle, at most once a second, so they are read after a quiet pause.
 */
export async function countsNow(dataDir: string): Promise<Counts> {
  await sleep(1_500);
  return withAdminConnection(dataDir, 'postgres', async (client) => {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const statements = await client.query<{ datname: string; n: string; planning: number; running: number }>(
      `SELECT d.datname, sum(s.calls) AS n, sum(s.total_plan_time)::float8 AS planning,
         sum(s.total_exec_time)::float8 AS running
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid GROUP BY d.datname`,
    );
    const each = await client.query<{
      datname: string;
      query: string;
      calls: string;
      planning: number;
      running: number;
    }>(
      `SELECT d.datname, s.query, sum(s.calls) AS calls, sum(s.total_plan_time)::float8 AS planning,
         sum(s.total_exec_time)::float8 AS running
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid GROUP BY d.datname, s.query`,
    );
    const transactions = await client.query<{
      datname: string;
      commits: string;
      rollbacks: string;
      deadlocks: string;
    }>(
      `SELECT datname, xact_commit AS commits, xact_rollback AS rollbacks, deadlocks
       FROM pg_stat_database WHERE datname IS NOT NULL`,
    );
    const byName = (rows: Array<{ datname: string; n: string | number }>) =>
      new Map(rows.map((row) => [row.datname, Number(row.n)]));
    return {
      statements: byName(statements.rows),
      commits: byName(transactions.rows.map((row) => ({ datname: row.datname, n: row.commits }))),
      rollbacks: byName(transactions.rows.map((row) => ({ datname: row.datname, n: row.rollbacks }))),
      deadlocks: byName(transactions.rows.map((row) => ({ datname: row.datname, n: row.deadlocks }))),
      planningMs: byName(statements.rows.map((row) => ({ datname: row.datname, n: row.planning }))),
      runningMs: byName(statements.rows.map((row) => ({ datname: row.datname, n: row.running }))),
      byStatement: new Map(each.rows.map((row) => [`${row.datname}\u0000${row.query}`, Number(row.calls)])),
      planningByStatement: new Map(
        each.rows.map((row) => [`${row.datname}\u0000${row.query}`, row.planning]),
      ),
      runningByStatement: new Map(each.rows.map((row) => [`${row.datname}\u0000${row.query}`, row.running])),
    };
  });
}

export interface PerOrder {
  total: number;
  perDatabase: Record<string, number>;
}

function perOrder(before: Map<string, number>, after: Map<string, number>, orders: number): PerOrder {
  const perDatabase: Record<string, number> = {};
  let total = 0;
  // The reader's own, in the `postgres` database, are left out.
  const rows = [...after]
    .filter(([name]) => name !== 'postgres')
    .map(([name, count]) => ({ name, count: count - (before.get(name) ?? 0) }))
    .filter((row) => row.count > 0)
    .sort((a, b) => b.count - a.count);
  for (const { name, count } of rows) {
    perDatabase[name] = Math.round((count / Math.max(1, orders)) * 10) / 10;
    total += count;
  }
  return { total: Math.round((total / Math.max(1, orders)) * 10) / 10, perDatabase };
}

/**
 * Statements, commits and rollbacks per confirmed order, per database (the busiest
 * first) and in all; the deadlocks of the whole run; and the server's milliseconds planning and running them, which do depend on the
 * machine (compare them within one run, or a back-to-back pair).
 */
export function countsPerOrder(before: Counts, after: Counts, orders: number) {
  return {
    statements: perOrder(before.statements, after.statements, orders),
    commits: perOrder(before.commits, after.commits, orders),
    rollbacks: perOrder(before.rollbacks, after.rollbacks, orders),
    /** Not per order: how many the server broke in the run, per database. */
    deadlocks: perOrder(before.deadlocks, after.deadlocks, 1),
    planningMs: perOrder(before.planningMs, after.planningMs, orders),
    runningMs: perOrder(before.runningMs, after.runningMs, orders),
    busiestStatements: busiestStatements(before, after, orders),
  };
}

/**
 * The statements run most often an order (at least 0.5 each, or 100 µs running), busiest first: where the
 * round trips go; with the server's microseconds planning each an order (a statement
 * planned afresh each time, not from a prepared statement's generic plan, shows here)
 * and running it (one that slows as its tables grow shows here).
 */
function busiestStatements(before: Counts, after: Counts, orders: number) {
  const orderShare = (now: number, then: number | undefined) => (now - (then ?? 0)) / Math.max(1, orders);
  return [...after.byStatement]
    .map(([key, calls]) => {
      const [database = '', text = ''] = key.split('\u0000');
      const perOrder = Math.round(orderShare(calls, before.byStatement.get(key)) * 10) / 10;
      const planning = orderShare(
        after.planningByStatement.get(key) ?? 0,
        before.planningByStatement.get(key),
      );
      const running = orderShare(after.runningByStatement.get(key) ?? 0, before.runningByStatement.get(key));
      return {
        database,
        perOrder,
        planningUsPerOrder: Math.round(planning * 1000),
        runningUsPerOrder: Math.round(running * 1000),
        statement: text.replace(/\s+/g, ' ').slice(0, 160),
      };
    })
    .filter((row) => row.database !== 'postgres' && (row.perOrder >= 0.5 || row.runningUsPerOrder >= 100))
    .sort((a, b) => b.perOrder - a.perOrder);
}
