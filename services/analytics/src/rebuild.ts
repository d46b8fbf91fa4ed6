import { type Bus, type Envelope, type Logger, type Pool, withTransaction } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { PROJECTED_TYPES } from './domain/order-facts.ts';
import { RebuildInProgress } from './errors.ts';
import type { ProjectionMetrics } from './metrics.ts';
import { applyEvents } from './projection.ts';
import { clearReadModels, lockProjectionExclusive, tryLockRebuild } from './store.ts';

// Events applied together while replaying: a few statements each, whatever the size.
const REPLAY_BATCH = 500;

export interface RebuildReport {
  /** Events of the projected types the bus's history held. */
  events: number;
  applied: number;
  /** Events found twice in the history (the same id), applied once. */
  duplicates: number;
  orders: number;
  startedAt: string;
  tookMs: number;
}

/**
 * Drops the read models and replays the bus's history through the same `applyEvents`
 * the live consumer uses (REPLAY_BATCH at a time), in one transaction: readers see the
 * old views until it commits, and live events wait on the projection lock, then skip
 * what was replayed.
 * The transaction is as long as the replay: while it runs, the platform's relays (on
 * a shared PostgreSQL) hold back rows behind it; see docs/decisions for the bounds.
 */
export async function rebuildReadModels(deps: {
  pool: Pool;
  bus: Bus<typeof eventSchemas>;
  metrics: ProjectionMetrics;
  log: Logger;
}): Promise<RebuildReport> {
  const started = Date.now();
  const report = await withTransaction(deps.pool, async (db) => {
    if (!(await tryLockRebuild(db)))
      throw new RebuildInProgress('A rebuild is running; try again when it ends');
    await lockProjectionExclusive(db);
    await clearReadModels(db);
    let applied = 0;
    let duplicates = 0;
    let replaying: Envelope[] = [];
    const replay = async () => {
      const outcomes = await applyEvents(db, replaying);
      replaying.forEach((event, i) => {
        const outcome = outcomes[i] ?? 'ignored';
        deps.metrics.applied(event.type, outcome, 'rebuild');
        if (outcome === 'applied') applied++;
        else if (outcome === 'duplicate') duplicates++;
      });
      replaying = [];
    };
    const events = await deps.bus.history([...PROJECTED_TYPES], async (event) => {
      replaying.push(event);
      if (replaying.length >= REPLAY_BATCH) await replay();
    });
    await replay();
    const { rows } = await db.query<{ orders: number }>('SELECT count(*) AS orders FROM order_facts');
    const orders = rows[0]?.orders ?? 0;
    await db.query(
      `INSERT INTO rebuilds (started_at, finished_at, events, applied, orders)
       VALUES ($1, clock_timestamp(), $2, $3, $4)`,
      [new Date(started), events, applied, orders],
    );
    return { events, applied, duplicates, orders, startedAt: new Date(started).toISOString() };
  });
  deps.metrics.rebuilt();
  const result = { ...report, tookMs: Date.now() - started };
  deps.log.info(result, 'analytics read models rebuilt from the bus history');
  return result;
}
