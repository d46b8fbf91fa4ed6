// Starts inventory against throwaway databases, with a saga probe on the same bus.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Discovery, type Envelope, loadConfig, type Service } from '@platform/chassis';
import {
  createTestDatabase,
  type SagaProbe,
  startSagaProbe,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testPool,
} from '@platform/testkit';
import type pg from 'pg';
import { InventoryConfig } from '../src/config.ts';
import { startInventory } from '../src/service.ts';

export interface Harness {
  service: Service;
  base: string;
  issuer: TestIssuer;
  probe: SagaProbe;
  /** A direct connection to inventory's own database, to arrange and inspect. */
  db: pg.Pool;
  /** Inventory's own database, for readers of their own (a message pact's check of the outbox). */
  databaseUrl: string;
  stock(productId: string): Promise<{ onHand: number; reserved: number } | undefined>;
  setStock(productId: string, onHand: number): Promise<void>;
  /** How many events of `type` about `subject` inventory has put in its outbox. */
  outboxCount(type: string, subject: string): Promise<number>;
  close(): Promise<void>;
}

const HEARD = [
  'inventory.stock.reserved',
  'inventory.stock.reservation-failed',
  'inventory.stock.waiting',
  'inventory.stock.released',
  'inventory.stock.committed',
  'inventory.stock.low',
] as const;

export async function startHarness(
  label: string,
  env: Record<string, string> = {},
  deps: { discovery?: Discovery } = {},
): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase(label);
  const busDatabase: TestDatabase = await createTestDatabase(`${label}_bus`);
  const issuer = await startTestIssuer();
  const probe = await startSagaProbe(busDatabase.url, [...HEARD]);
  const service = await startInventory(
    loadConfig(InventoryConfig, {
      DATABASE_URL: database.url,
      BUS_DATABASE_URL: busDatabase.url,
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'silent',
      INVENTORY_SEED: 'false',
      ...env,
    }),
    { ...deps, tokens: { token: () => issuer.token(['service']) } },
  );
  const db = testPool(database.url, 24);
  return {
    service,
    base: `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`,
    issuer,
    probe,
    db,
    databaseUrl: database.url,
    async stock(productId) {
      const { rows } = await db.query<{ onHand: number; reserved: number }>(
        'SELECT on_hand AS "onHand", reserved FROM stock WHERE product_id = $1',
        [productId],
      );
      return rows[0];
    },
    async setStock(productId, onHand) {
      await db.query(
        `INSERT INTO stock (product_id, on_hand, received) VALUES ($1, $2::int, $2::int)
         ON CONFLICT (product_id) DO UPDATE SET on_hand = $2, received = stock.received + ($2 - stock.on_hand)`,
        [productId, onHand],
      );
    },
    async outboxCount(type, subject) {
      const { rows } = await db.query<{ count: number }>(
        `SELECT count(*) AS count FROM outbox WHERE type = $1 AND envelope->>'subject' = $2`,
        [type, subject],
      );
      return rows[0]?.count ?? 0;
    },
    async close() {
      await service.shutdown('test over');
      await db.end();
      await probe.close();
      await issuer.close();
      await database.drop();
      await busDatabase.drop();
    },
  };
}

/** Waits until `check` returns a value (not undefined/false), failing after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** The first reply of `type` about `orderId` that the probe hears. */
export function replyFor(probe: SagaProbe, type: string, orderId: string): Promise<Envelope> {
  return probe.next((event) => event.type === type && event.subject === orderId);
}

/** Every event of one of `types` about `orderId` heard so far. */
export function heardFor(probe: SagaProbe, orderId: string, types: readonly string[]): Envelope[] {
  return probe.heard().filter((event) => event.subject === orderId && types.includes(event.type));
}
