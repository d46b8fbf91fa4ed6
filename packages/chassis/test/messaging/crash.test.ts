import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  natsServerBinary,
  startEmbeddedPostgres,
  startPrivateNatsServer,
} from '@platform/devinfra';
import { createTestDatabase, requireInfra, type TestDatabase } from '@platform/testkit';
import pg from 'pg';
import { type BusDriver, createLogger, createNatsDriver, createPostgresDriver } from '../../src/index.ts';
import { BusHarness, eventually, testSchemas } from './harness.ts';
import { Node } from './processes.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'bus-node.ts');
// How long recovery may take when the whole suite loads this 2-core machine: a
// bound on liveness (a process restarting, a lease running out), not a timing check.
const LIVENESS_MS = 45_000;
const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
const databases: TestDatabase[] = [];
after(async () => {
  for (const database of databases) await database.drop();
});

async function database(label: string): Promise<TestDatabase> {
  const created = await createTestDatabase(label);
  databases.push(created);
  return created;
}

async function rows<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A bus server of the driver's kind that this test owns, so it can stop and restart it. */
interface PrivateBus {
  env: Record<string, string>;
  driver(name: string): BusDriver;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function privatePostgresBus(): Promise<PrivateBus> {
  const dataDir = await mkdtemp(join(import.meta.dirname, '..', '..', '..', '..', '.test-data', 'bus-pg-'));
  // mkdtemp makes it 0700; the server runs as the postgres user when we are root.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const password = randomBytes(8).toString('hex');
  let server = await startEmbeddedPostgres({
    dataDir: join(dataDir, 'pg'),
    port,
    adminPassword: password,
    durable: false,
  });
  const url = server.adminUrl;
  return {
    env: { BUS_DRIVER: 'postgres', BUS_DATABASE_URL: url },
    driver: () => createPostgresDriver({ url, log, leaseMs: 2_000 }),
    stop: () => server.stop(),
    async start() {
      server = await startEmbeddedPostgres({
        dataDir: join(dataDir, 'pg'),
        port,
        adminPassword: password,
        durable: false,
      });
    },
    async destroy() {
      await server.stop().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function privateNatsBus(binary: string): Promise<PrivateBus> {
  const storeDir = await mkdtemp(
    join(import.meta.dirname, '..', '..', '..', '..', '.test-data', 'bus-nats-'),
  );
  const server = await startPrivateNatsServer(binary, storeDir);
  return {
    env: { BUS_DRIVER: 'nats', NATS_URL: server.url },
    driver: (name) => createNatsDriver({ url: server.url, log, name, ackWaitMs: 2_000 }),
    stop: () => server.stop(),
    start: () => server.start(),
    async destroy() {
      await server.stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

const natsBinary = natsServerBinary();
const kinds: Array<{ name: string; make: () => Promise<PrivateBus> }> = [
  { name: 'postgres', make: privatePostgresBus },
];
if (natsBinary) kinds.push({ name: 'nats', make: () => privateNatsBus(natsBinary) });
else if (requireInfra) throw new Error('REQUIRE_INFRA=1 but no nats-server binary was found');
else
  test('crash tests (nats)', {
    skip: 'no nats-server binary here; .ci/run runs these against one',
  }, () => {});

for (const kind of kinds) {
  describe(`crashes (${kind.name})`, () => {
    let bus: PrivateBus;
    const nodes: Node[] = [];
    const start = (env: Record<string, string>) => {
      const node = new Node([fixture], { ...bus.env, BUS_LEASE_MS: '2000', ...env });
      nodes.push(node);
      return node;
    };
    after(async () => {
      for (const node of nodes) await node.kill('SIGKILL');
      await bus?.destroy();
    });

    test(`${kind.name} - a consumer killed (-9) in the middle of a handler applies the event exactly once after restart`, async () => {
      bus ??= await kind.make();
      const { placed } = testSchemas();
      const consumerDb = await database('consumer');
      const producerDb = await database('producer');
      const common = { EVENT_TYPE: placed, GROUP: `${placed}-g` };
      const consumer = start({
        ...common,
        ROLE: 'consumer',
        DATABASE_URL: consumerDb.url,
        HANDLER_DELAY_MS: '60000',
      });
      await consumer.line(/^ready$/);
      const producer = start({ ...common, ROLE: 'producer', DATABASE_URL: producerDb.url, COUNT: '1' });
      await producer.line(/^committed$/);
      const handling = await consumer.line(/^handling /);
      await consumer.kill('SIGKILL');

      const restarted = start({ ...common, ROLE: 'consumer', DATABASE_URL: consumerDb.url });
      await restarted.line(/^handling /);
      await eventually(
        'the effect committed',
        async () => (await rows(consumerDb.url, 'SELECT 1 FROM effects')).length === 1,
        LIVENESS_MS,
      );
      await sleep(3_000); // beyond the lease: nothing else may arrive
      const effects = await rows<{ event_id: string }>(consumerDb.url, 'SELECT event_id FROM effects');
      assert.deepEqual(
        effects.map((row) => row.event_id),
        [handling.split(' ')[1]],
      );
      await producer.kill();
      await restarted.kill();
    });

    test(`${kind.name} - a producer killed (-9) after commit and before the relay sent delivers after restart`, async () => {
      bus ??= await kind.make();
      const { placed } = testSchemas();
      const consumerDb = await database('consumer');
      const producerDb = await database('producer');
      const common = { EVENT_TYPE: placed, GROUP: `${placed}-g` };
      const consumer = start({ ...common, ROLE: 'consumer', DATABASE_URL: consumerDb.url });
      await consumer.line(/^ready$/);
      const producer = start({
        ...common,
        ROLE: 'producer',
        DATABASE_URL: producerDb.url,
        COUNT: '5',
        RELAY: 'off',
      });
      await producer.line(/^committed$/);
      await producer.kill('SIGKILL');
      const unsent = await rows(producerDb.url, 'SELECT id FROM outbox WHERE sent_at IS NULL');
      assert.equal(unsent.length, 5, 'committed, not yet sent');

      const restarted = start({ ...common, ROLE: 'producer', DATABASE_URL: producerDb.url, COUNT: '0' });
      await eventually(
        'all five applied',
        async () => (await rows(consumerDb.url, 'SELECT 1 FROM effects')).length === 5,
        LIVENESS_MS,
      );
      const effects = await rows<{ n: number }>(consumerDb.url, 'SELECT n FROM effects ORDER BY n');
      assert.deepEqual(
        effects.map((row) => row.n),
        [1, 2, 3, 4, 5],
      );
      await restarted.kill();
      await consumer.kill();
    });

    test(`${kind.name} - the bus down for 10 s while a producer keeps writing: everything arrives, once`, async () => {
      bus ??= await kind.make();
      const { placed, schemas } = testSchemas();
      const harness = new BusHarness((name) => bus.driver(name));
      try {
        const producer = await harness.instance('shop', await harness.database('producer'), schemas);
        const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
        const handled: number[] = [];
        await consumer.bus.subscribe(`${placed}-g`, [placed], async (event, { tx }) => {
          await tx.query('SELECT 1');
          handled.push((event.data as { amount: number }).amount);
        });
        let written = 0;
        let writing = true;
        const writer = (async () => {
          while (writing) {
            written += 1;
            await producer.bus.transaction((tx) =>
              tx.publish({ type: placed, data: { orderId: 'o', amount: written } }),
            );
            await sleep(50);
          }
        })();
        await sleep(1_000);
        await bus.stop();
        await sleep(10_000);
        await bus.start();
        await sleep(1_000);
        writing = false;
        await writer;
        await eventually('every written event handled', () => handled.length >= written, 60_000);
        await sleep(500);
        assert.equal(handled.length, written, 'nothing applied twice');
        assert.deepEqual(
          [...handled].sort((a, b) => a - b),
          Array.from({ length: written }, (_, i) => i + 1),
        );
      } finally {
        await harness.close();
      }
    });
  });
}
