// What the console keeps of each service's metrics between scrapes: cumulative request
// counts and latency buckets, summed over a service's instances and routes, and the
// gauges worth charting. Rates and percentiles come from the difference between two
// scrapes, as Prometheus's rate() and histogram_quantile() compute them.
import type { Sample } from './exposition.ts';

/** Cumulative request counts and latency buckets: of a service, or of one of its routes. */
export interface Counts {
  requests: number;
  serverErrors: number;
  /** Cumulative count per latency bucket's upper bound (seconds), `+Inf` last. */
  buckets: Map<number, number>;
}

/** One scrape of one service, its instances summed. */
export interface Snapshot extends Counts {
  at: number;
  /** The same counts per route (`GET /products/:id`). */
  routes: Map<string, Counts>;
  eventLoopLagP99: number;
  poolWaiting: number;
  outboxBacklog: number;
  consumerLag: number;
}

export interface Point {
  at: number;
  rate: number;
  errorShare: number;
  p50: number | null;
  p99: number | null;
  eventLoopLagP99: number;
  poolWaiting: number;
  outboxBacklog: number;
  consumerLag: number;
}

const sum = (samples: Sample[], name: string, keep: (s: Sample) => boolean = () => true) =>
  samples.filter((s) => s.name === name && keep(s)).reduce((total, s) => total + s.value, 0);
const max = (samples: Sample[], name: string) =>
  samples.filter((s) => s.name === name).reduce((most, s) => Math.max(most, s.value), 0);

function countsOf(samples: Sample[]): Counts {
  const buckets = new Map<number, number>();
  for (const s of samples.filter((x) => x.name === 'http_request_duration_seconds_bucket')) {
    const bound = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + s.value);
  }
  return {
    requests: sum(samples, 'http_requests_total'),
    serverErrors: sum(samples, 'http_requests_total', (s) => (s.labels.status ?? '').startsWith('5')),
    buckets,
  };
}

const HTTP = /^http_request(s_total|_duration_seconds_bucket)$/;

/** A service's snapshot from the samples of all its instances. */
export function snapshotOf(at: number, samples: Sample[]): Snapshot {
  const byRoute = new Map<string, Sample[]>();
  for (const s of samples) {
    if (!HTTP.test(s.name) || !s.labels.route) continue;
    const route = `${s.labels.method ?? ''} ${s.labels.route}`;
    byRoute.set(route, [...(byRoute.get(route) ?? []), s]);
  }
  return {
    at,
    ...countsOf(samples),
    routes: new Map([...byRoute].map(([route, mine]) => [route, countsOf(mine)])),
    eventLoopLagP99: max(samples, 'nodejs_eventloop_lag_p99_seconds'),
    poolWaiting: sum(samples, 'db_pool_requests_waiting'),
    outboxBacklog: sum(samples, 'bus_outbox_backlog'),
    consumerLag: sum(samples, 'bus_consumer_lag'),
  };
}

/** A counter's increase; a smaller value means the process restarted and counted afresh. */
const increase = (before: number, after: number) => (after >= before ? after - before : after);

/** The `q` quantile of the observations between two scrapes, interpolated within its bucket. */
export function quantile(q: number, before: Map<number, number>, after: Map<number, number>): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => increase(before.get(b) ?? 0, after.get(b) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    const count = counts[i] ?? 0;
    if (count < rank) continue;
    const upper = bounds[i] ?? 0;
    const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
    if (!Number.isFinite(upper)) return lower;
    const below = i === 0 ? 0 : (counts[i - 1] ?? 0);
    return lower + ((upper - lower) * (rank - below)) / Math.max(1, count - below);
  }
  return null;
}

/** The point between two snapshots of a service. */
export function pointBetween(before: Snapshot, after: Snapshot): Point {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const requests = increase(before.requests, after.requests);
  const errors = increase(before.serverErrors, after.serverErrors);
  return {
    at: after.at,
    rate: requests / seconds,
    errorShare: requests === 0 ? 0 : errors / requests,
    p50: quantile(0.5, before.buckets, after.buckets),
    p99: quantile(0.99, before.buckets, after.buckets),
    eventLoopLagP99: after.eventLoopLagP99,
    poolWaiting: after.poolWaiting,
    outboxBacklog: after.outboxBacklog,
    consumerLag: after.consumerLag,
  };
}

export interface RouteStats {
  route: string;
  rate: number;
  errorShare: number;
  p50: number | null;
  p99: number | null;
}

/** Each route's traffic, errors and latency between two snapshots, busiest first; idle routes left out. */
export function routesBetween(before: Snapshot, after: Snapshot): RouteStats[] {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const stats: RouteStats[] = [];
  for (const [route, now] of after.routes) {
    const then = before.routes.get(route) ?? { requests: 0, serverErrors: 0, buckets: new Map() };
    const requests = increase(then.requests, now.requests);
    if (requests === 0) continue;
    stats.push({
      route,
      rate: requests / seconds,
      errorShare: increase(then.serverErrors, now.serverErrors) / requests,
      p50: quantile(0.5, then.buckets, now.buckets),
      p99: quantile(0.99, then.buckets, now.buckets),
    });
  }
  return stats.sort((a, b) => b.rate - a.rate || a.route.localeCompare(b.route));
}
