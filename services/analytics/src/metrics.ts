import type { Queryable } from '@platform/chassis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ApplyOutcome } from './projection.ts';

export type ProjectionMetrics = ReturnType<typeof registerProjectionMetrics>;

/** The projection's metrics: its lag (read from the database at scrape time) and what it applied. */
export function registerProjectionMetrics(registry: Registry, db: Queryable) {
  new Gauge({
    name: 'analytics_projection_lag_seconds',
    help: 'Now minus the time of the newest event applied to the read models (0 before any)',
    registers: [registry],
    async collect() {
      this.set(await projectionLagSeconds(db));
    },
  });
  const applied = new Counter({
    name: 'analytics_events_applied_total',
    help: 'Events the projection handled, by type and outcome (applied, duplicate)',
    labelNames: ['type', 'outcome', 'source'],
    registers: [registry],
  });
  const rebuilds = new Counter({
    name: 'analytics_rebuilds_total',
    help: 'Rebuilds of the read models from the bus history that committed',
    registers: [registry],
  });
  return {
    applied(type: string, outcome: ApplyOutcome, source: 'live' | 'rebuild') {
      applied.inc({ type, outcome, source });
    },
    rebuilt() {
      rebuilds.inc();
    },
  };
}

/** Now minus the event time of the newest applied event, in seconds; 0 before any (or for a clock ahead). */
export async function projectionLagSeconds(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ lag: number | null }>(
    'SELECT extract(epoch FROM now() - max(event_time))::float8 AS lag FROM applied_events',
  );
  return Math.max(0, rows[0]?.lag ?? 0);
}
