import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** A Prometheus registry with process and event-loop metrics, labelled with the service. */
export function createMetricsRegistry(labels: { service: string; instance: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  return registry;
}

/** Request count and latency by method, route template (never the raw URL: bounded cardinality) and status. */
export function instrumentHttp(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}

/** Gauges of a pg pool's connections, read at scrape time. */
export function instrumentPool(registry: Registry, pool: Pool, name = 'main'): void {
  const gauge = (metric: string, help: string, read: () => number) =>
    new Gauge({
      name: metric,
      help,
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.set({ pool: name }, read());
      },
    });
  gauge('db_pool_connections_total', 'Connections open in the pool', () => pool.totalCount);
  gauge('db_pool_connections_idle', 'Idle connections in the pool', () => pool.idleCount);
  gauge('db_pool_requests_waiting', 'Queries waiting for a connection', () => pool.waitingCount);
}
