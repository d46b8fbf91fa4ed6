import { randomUUID } from 'node:crypto';
import {
  type BusDriver,
  createLogger,
  createNatsDriver,
  createPostgresDriver,
  type Envelope,
  loadConfig,
  type Service,
  staticDiscovery,
} from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import {
  createTestDatabase,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testPool,
} from '@platform/testkit';
import type pg from 'pg';
import { AnalyticsConfig } from '../src/config.ts';
import { startAnalytics } from '../src/service.ts';

// Analytics against throwaway databases and a real bus. Events are put on the bus by
// a driver of its own, as another service's relay would, so a test chooses each
// event's id and time: the figures depend on the events' times, never on now.

export interface Harness {
  issuer: TestIssuer;
  database: TestDatabase;
  service: Service;
  base: string;
  /** Puts envelopes on the bus in this order (a repeated id is one message: the bus dedupes). */
  publish(events: Envelope[]): Promise<void>;
  /** GET (or POST) on the service as an administrator, unless `token` says otherwise. */
  call<T>(path: string, options?: { method?: string; token?: string | null }): Promise<Answer<T>>;
  /** Waits until the projection has applied `count` distinct events. */
  caughtUp(count: number, timeoutMs?: number): Promise<void>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface Answer<T> {
  status: number;
  type: string;
  body: T;
}

/** An envelope as the producing service would have published it at `time`. */
export function envelope<T extends EventType>(
  type: T,
  data: EventData<T>,
  time: string,
  options: { id?: string; source?: string } = {},
): Envelope {
  return {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: options.source ?? type.split('.')[0] ?? 'test',
    type,
    time: new Date(time).toISOString(),
    subject: (data as { orderId?: string }).orderId ?? '',
    datacontenttype: 'application/json',
    data,
  };
}

/** Starts analytics on the postgres bus (a fresh bus database), or on the NATS server at `natsUrl`. */
export async function startHarness(label: string, options: { natsUrl?: string } = {}): Promise<Harness> {
  const database = await createTestDatabase(label);
  const busDatabase = await createTestDatabase(`${label}_bus`);
  const log = createLogger({ service: 'test-producer', instance: 'test', level: 'silent' });
  const bus = options.natsUrl
    ? { BUS_DRIVER: 'nats', NATS_URL: options.natsUrl }
    : { BUS_DRIVER: 'postgres', BUS_DATABASE_URL: busDatabase.url };
  const issuer = await startTestIssuer();
  const pool = testPool(database.url, 3);
  pool.on('error', () => undefined);
  const service = await startAnalytics(
    loadConfig(AnalyticsConfig, {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '8',
      ...bus,
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'silent',
      BUS_LEASE_MS: '5000',
    }),
    { discovery: staticDiscovery({}) },
  );
  const driver: BusDriver = options.natsUrl
    ? createNatsDriver({ url: options.natsUrl, log, name: 'test-producer' })
    : createPostgresDriver({ url: busDatabase.url, log });
  await driver.start();
  const base = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
  const admin = await issuer.token(['admin']);
  const call = async <T>(path: string, options: { method?: string; token?: string | null } = {}) => {
    const token = options.token === undefined ? admin : options.token;
    const response = await fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: (await response.json()) as T,
    };
  };
  return {
    issuer,
    database,
    service,
    base,
    pool,
    async publish(events) {
      for (const event of events) await driver.publish([event]);
    },
    call,
    async caughtUp(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await call<{ eventsApplied: number }>('/api/v1/analytics/status');
        if (body.eventsApplied >= count) return;
        if (Date.now() > deadline) throw new Error(`applied ${body.eventsApplied} of ${count} events`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await pool.query<T>(sql, params)).rows;
    },
    async close() {
      await service.shutdown('test over');
      await driver.close();
      await pool.end();
      await database.drop();
      await busDatabase.drop();
      await issuer.close();
    },
  };
}

/** Every view the API has, each list read whole: two of these are equal iff the read models are. */
export async function allViews(h: Harness): Promise<Record<string, unknown>> {
  const lists = [
    '/api/v1/analytics/sales/daily',
    '/api/v1/analytics/sales/categories',
    '/api/v1/analytics/products/top?by=units',
    '/api/v1/analytics/products/top?by=revenue',
  ];
  const views: Record<string, unknown> = {};
  for (const path of lists) {
    const joiner = path.includes('?') ? '&' : '?';
    const { body } = await h.call<{ data: unknown[] }>(`${path}${joiner}limit=100`);
    views[path] = body.data;
  }
  for (const path of [
    '/api/v1/analytics/funnel',
    '/api/v1/analytics/delivery-time',
    '/api/v1/analytics/revenue',
  ]) {
    views[path] = (await h.call(path)).body;
  }
  return views;
}
