// Bus benchmark: end to end from the producer's commit to the consumer's commit
// (inbox row and effect), for each driver at 1 and 4 consumer instances.
//   latency:    a steady 50 events/s for 8 s; p50/p90/p99 of commit-to-commit time
//   throughput: 8 producer loops as fast as they go, one event per transaction, then ten;
//               events/s until the last is handled, and the producers' own rate
// Consumers take up to --max-batch events that arrive together in one transaction.
// Options: --drivers postgres,nats --instances 1,4 --max-batch 64 --producers 8
// Plus, for NATS, the raw JetStream publish and consume ceiling of this machine.
// Run: npm run bench -- bus
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  type BusDriver,
  createLogger,
  createNatsDriver,
  createPool,
  createPostgresDriver,
  createService,
  openBus,
  type Service,
  Type,
} from '@platform/chassis';
import { freePort, startEmbeddedPostgres, withDatabase } from '@platform/devinfra';
import { commandLine, listOption, numberOption } from '@platform/devinfra/command-line';
import pg from 'pg';
import { machineDetails } from '../machine.ts';

const USAGE = `usage: npm run bench -- bus [--drivers postgres,nats] [--instances 1,4] [--max-batch 64] [--producers 8]

Producer commit to consumer commit, for each driver at each number of consumer instances:
latency at a steady 50 events/s, and throughput at saturation (one event a transaction,
then ten); for NATS, JetStream's raw publish and consume ceiling. Writes bench/results/bus.json.`;
const { values: args } = commandLine(USAGE, {
  options: {
    drivers: { type: 'string', default: 'postgres,nats' },
    instances: { type: 'string', default: '1,4' },
    'max-batch': { type: 'string', default: '64' },
    producers: { type: 'string', default: '8' },
  },
});
const wantedDrivers = listOption('--drivers', args.drivers, ['postgres', 'nats']);
const wantedInstances = args.instances
  .split(',')
  .map((count) => numberOption('--instances', count, { min: 1, max: 64, integer: true }));
const maxBatch = numberOption('--max-batch', args['max-batch'], { min: 1, integer: true });
const producers = numberOption('--producers', args.producers, { min: 1, integer: true });
const root = join(import.meta.dirname, '..', '..');
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const log = createLogger({ service: 'bench', instance: 'bench', level: 'silent' });

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const round = (n: number) => Math.round(n * 100) / 100;

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return withDatabase(adminUrl, name);
}

async function natsReachable(): Promise<boolean> {
  try {
    await (await connect({ servers: natsUrl, maxReconnectAttempts: 0, timeout: 1_000 })).close();
    return true;
  } catch {
    return false;
  }
}

async function scenario(adminUrl: string, driverName: 'postgres' | 'nats', consumers: number) {
  const tag = randomBytes(3).toString('hex');
  const type = `bench${tag}.item.recorded`;
  const schemas = { [type]: Type.Object({ n: Type.Integer() }) };
  const busUrl = driverName === 'postgres' ? await createDatabase(adminUrl, `bus_${tag}`) : '';
  const makeDriver = (name: string): BusDriver =>
    driverName === 'postgres'
      ? createPostgresDriver({ url: busUrl, log })
      : createNatsDriver({ url: natsUrl, log, name });
  const services: Service[] = [];
  const instance = async (name: string, url: string) => {
    const service = await createService({ name, logLevel: 'silent' });
    const pool = createPool({ url, applicationName: name, log, max: 10 });
    service.onShutdown(() => pool.end());
    const bus = await openBus(service, { pool, databaseUrl: url, driver: makeDriver(name), schemas });
    services.push(service);
    return bus;
  };

  const producer = await instance('producer', await createDatabase(adminUrl, `producer_${tag}`));
  const consumerUrl = await createDatabase(adminUrl, `consumer_${tag}`);
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  let handled = 0;
  let lastHandledAt = 0;
  for (let i = 0; i < consumers; i++) {
    const bus = await instance(`consumer-${i}`, consumerUrl);
    await bus.subscribe(
      `bench-${tag}`,
      [type],
      async (event, { afterCommit }) => {
        afterCommit(() => {
          const now = performance.now();
          const sent = committedAt.get(event.id);
          if (sent !== undefined) latencies.push(now - sent);
          handled += 1;
          lastHandledAt = now;
        });
      },
      { maxBatch },
    );
  }
  /** One producer transaction publishing `count` events. */
  const publish = async (n: number, count = 1) => {
    const envelopes = await producer.transaction(async (tx) => {
      const sent = [];
      for (let i = 0; i < count; i++) sent.push(await tx.publish({ type, data: { n: n + i } }));
      return sent;
    });
    const now = performance.now();
    for (const envelope of envelopes) committedAt.set(envelope.id, now);
  };

  // Latency at a steady, modest rate.
  const rate = 50;
  const steadyCount = rate * 8;
  const start = performance.now();
  for (let n = 0; n < steadyCount; n++) {
    const due = start + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await publish(n);
  }
  while (handled < steadyCount) await sleep(10);
  const latency = {
    events: latencies.length,
    p50Ms: round(percentile(latencies, 50)),
    p90Ms: round(percentile(latencies, 90)),
    p99Ms: round(percentile(latencies, 99)),
  };

  // Throughput at saturation: producer loops as fast as they go, with one event per
  // transaction (the producers' commits are then the usual ceiling), and with ten
  // (an order placement, say, publishes several).
  const saturate = async (perTransaction: number) => {
    handled = 0;
    const total = 3_000 * perTransaction;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: producers }, async () => {
        while (next < total) {
          const n = next;
          next += perTransaction;
          await publish(n, perTransaction);
        }
      }),
    );
    const producedIn = performance.now() - t0;
    while (handled < total) await sleep(5);
    return {
      events: total,
      eventsPerTransaction: perTransaction,
      perSecond: Math.round(total / ((lastHandledAt - t0) / 1000)),
      committedPerSecond: Math.round(total / (producedIn / 1000)),
    };
  };
  const throughput = await saturate(1);
  const throughputTenPerTransaction = await saturate(10);

  for (const service of services.reverse()) await service.shutdown('bench over');
  return {
    driver: driverName,
    consumerInstances: consumers,
    maxBatch,
    producers,
    latency,
    throughput,
    throughputTenPerTransaction,
  };
}

/** JetStream alone: pipelined publishes with acks, then a pull consumer reading them all. */
async function natsCeiling() {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `BENCH_RAW_${randomBytes(3).toString('hex')}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const count = 20_000;
  const payload = new Uint8Array(256);
  const publishStart = performance.now();
  const inFlight: Array<Promise<unknown>> = [];
  for (let i = 0; i < count; i++) {
    inFlight.push(js.publish(`${stream}.x`, payload));
    if (inFlight.length >= 500) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  const publishPerSecond = Math.round(count / ((performance.now() - publishStart) / 1000));
  await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit });
  const consumer = await js.consumers.get(stream, 'raw');
  const consumeStart = performance.now();
  let received = 0;
  const messages = await consumer.consume({ max_messages: 1_000 });
  for await (const message of messages) {
    message.ack();
    if (++received === count) break;
  }
  const consumePerSecond = Math.round(count / ((performance.now() - consumeStart) / 1000));
  await jsm.streams.delete(stream);
  await nc.close();
  return { messages: count, payloadBytes: 256, publishPerSecond, consumeWithAckPerSecond: consumePerSecond };
}

await mkdir(join(root, '.test-data'), { recursive: true });
const dataDir = await mkdtemp(join(root, '.test-data', 'bench-bus-'));
await chmod(dataDir, 0o755);
const server = await startEmbeddedPostgres({
  dataDir: join(dataDir, 'pg'),
  port: await freePort(),
  adminPassword: randomBytes(8).toString('hex'),
});
try {
  const drivers: Array<'postgres' | 'nats'> = wantedDrivers.filter((driver) => driver === 'postgres');
  if (wantedDrivers.includes('nats')) {
    if (await natsReachable()) drivers.push('nats');
    else console.log(`no NATS at ${natsUrl}: measuring the postgres driver only`);
  }
  const scenarios = [];
  for (const driver of drivers) {
    for (const consumers of wantedInstances) {
      const result = await scenario(server.adminUrl, driver, consumers);
      console.log(JSON.stringify(result));
      scenarios.push(result);
    }
  }
  const ceiling = drivers.includes('nats') ? await natsCeiling() : undefined;
  const result = {
    benchmark: 'bus',
    what: 'producer commit to consumer commit (inbox + effect), in one process; PostgreSQL is embedded and durable',
    scenarios,
    natsRawCeiling: ceiling,
    machine: machineDetails(),
  };
  const { writeFileSync } = await import('node:fs');
  const file = join(root, 'bench', 'results', 'bus.json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${file}`);
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
