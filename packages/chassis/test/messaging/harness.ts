import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '@platform/testkit';
import {
  type Bus,
  type BusDriver,
  createPool,
  createService,
  openBus,
  type RetryPolicy,
  type Schemas,
  type Service,
  Type,
} from '../../src/index.ts';

/** Every type prefix this process handed out, so a shared broker can be cleaned of them. */
export const usedPrefixes: string[] = [];

/** Event types unique to one test, so tests never see each other's messages on a shared broker. */
export function testSchemas() {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  usedPrefixes.push(prefix);
  const Order = Type.Object({ orderId: Type.String(), amount: Type.Integer({ minimum: 0 }) });
  const placed = `${prefix}.order.placed`;
  const shipped = `${prefix}.order.shipped`;
  return { placed, shipped, schemas: { [placed]: Order, [shipped]: Order } as Record<string, typeof Order> };
}

export interface Instance<S extends Schemas> {
  service: Service;
  bus: Bus<S>;
  database: TestDatabase;
}

/** Builds service instances with a bus on the driver under test, and tears them all down. */
export class BusHarness {
  readonly #instances: Array<Instance<Schemas>> = [];
  readonly #databases: TestDatabase[] = [];
  readonly makeDriver: (name: string) => BusDriver;

  constructor(makeDriver: (name: string) => BusDriver) {
    this.makeDriver = makeDriver;
  }

  /** A fresh database for one service (several instances of it may share it). */
  async database(label: string): Promise<TestDatabase> {
    const database = await createTestDatabase(label);
    this.#databases.push(database);
    return database;
  }

  async instance<S extends Schemas>(
    name: string,
    database: TestDatabase,
    schemas: S,
    retry: Partial<RetryPolicy> = { baseDelayMs: 20, maxDelayMs: 200 },
  ): Promise<Instance<S>> {
    const service = await createService({ name, logLevel: 'silent' });
    const pool = createPool({ url: database.url, applicationName: name, log: service.log });
    service.onShutdown(() => pool.end());
    const bus = await openBus(service, {
      pool,
      databaseUrl: database.url,
      driver: this.makeDriver(name),
      schemas,
      retry,
    });
    const instance = { service, bus, database };
    this.#instances.push(instance as unknown as Instance<Schemas>);
    return instance;
  }

  /** A producer (`shop`), and a consumer (`billing`) recording the order ids it handles, of a fresh event type. */
  async producerAndConsumer() {
    const { placed, schemas } = testSchemas();
    const producer = await this.instance('shop', await this.database('producer'), schemas);
    const consumer = await this.instance('billing', await this.database('billing'), schemas);
    const seen: string[] = [];
    await consumer.bus.subscribe(`${placed}-billing`, [placed], async (event) => {
      seen.push((event.data as { orderId: string }).orderId);
    });
    return { placed, producer, seen };
  }

  /** Shuts every instance down and drops every database made so far; the harness stays usable. */
  async close(): Promise<void> {
    const instances = this.#instances.splice(0).reverse();
    for (const { service } of instances) await service.shutdown('test over');
    for (const database of this.#databases.splice(0)) await database.drop();
  }
}

export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}
