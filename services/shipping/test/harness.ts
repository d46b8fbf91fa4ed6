import { randomUUID } from 'node:crypto';
import { loadConfig, type Service, staticDiscovery } from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import {
  createTestDatabase,
  eventually,
  type SagaProbe,
  startSagaProbe,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testPool,
} from '@platform/testkit';
import type pg from 'pg';
import { ShippingConfig } from '../src/config.ts';
import { startShipping } from '../src/service.ts';

// Starts shipping against throwaway databases, with a saga probe on the same bus.

export const SHIPPING_FACTS: EventType[] = [
  'shipping.scheduled',
  'shipping.failed',
  'shipping.cancelled',
  'shipping.cancel-refused',
  'shipping.shipped',
  'shipping.in-transit',
  'shipping.delivered',
];

export interface Harness {
  probe: SagaProbe;
  issuer: TestIssuer;
  database: TestDatabase;
  /** The instance started with the harness, and its base URL. */
  first: Service;
  base: string;
  /** Starts one more instance on the same databases (`env` overrides); stopped by `close`. */
  startInstance(env?: Record<string, string>): Promise<Service>;
  stopInstance(service: Service): Promise<void>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startHarness(label: string, env: Record<string, string>): Promise<Harness> {
  const database = await createTestDatabase(label);
  const busDatabase = await createTestDatabase(`${label}_bus`);
  const issuer = await startTestIssuer();
  const pool = testPool(database.url);
  // An idle connection dropped by the server is only replaced; it fails no test.
  pool.on('error', () => undefined);
  const running = new Set<Service>();
  const startInstance = async (overrides: Record<string, string> = {}) => {
    const config = loadConfig(ShippingConfig, {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '4',
      BUS_DATABASE_URL: busDatabase.url,
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'silent',
      BUS_LEASE_MS: '5000',
      ...env,
      ...overrides,
    });
    const service = await startShipping(config, {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    });
    running.add(service);
    return service;
  };
  const first = await startInstance();
  const probe = await startSagaProbe(busDatabase.url, SHIPPING_FACTS);
  return {
    probe,
    issuer,
    database,
    first,
    base: `http://127.0.0.1:${(first.app.server.address() as { port: number }).port}`,
    startInstance,
    async stopInstance(service) {
      running.delete(service);
      await service.shutdown('test stops it');
    },
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await pool.query<T>(sql, params)).rows;
    },
    async close() {
      await probe.close();
      for (const service of running) await service.shutdown('test over');
      await pool.end();
      await database.drop();
      await busDatabase.drop();
      await issuer.close();
    },
  };
}

export { eventually };

export const address = (postalCode = '10115') => ({
  name: 'Ada Lovelace',
  line1: '1 Analytical Way',
  city: 'Berlin',
  postalCode,
  country: 'DE',
});

export function scheduleCommand(
  orderId: string,
  options: { userId?: string; postalCode?: string } = {},
): EventData<'shipping.schedule-shipment'> {
  return {
    orderId,
    userId: options.userId ?? randomUUID(),
    address: address(options.postalCode),
    lines: [
      { productId: randomUUID(), quantity: 2, weightGrams: 300 },
      { productId: randomUUID(), quantity: 1, weightGrams: 1_000 },
    ],
  };
}

/** The probe's events about `orderId`, by type, in the order heard. */
/**
 * The types of the facts heard about one order, in the order they happened: the bus
 * keeps publish order per type only, so a reply and an event of another type may
 * arrive the other way round (a busy machine does it); their `time` does not.
 */
export function heardFor(probe: SagaProbe, orderId: string): string[] {
  return probe
    .heard()
    .filter((event) => event.subject === orderId)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
    .map((event) => event.type);
}
