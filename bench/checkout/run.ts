// Checkout benchmark, for each bus (the embedded PostgreSQL bus and NATS JetStream)
// and each saga mode, on a platform started as `npm start` starts it:
// - saturated: C shoppers place orders back to back through the gateway; orders
//   confirmed per second is the throughput (POST→CONFIRMED then includes the queue);
// - paced: orders placed at a steady rate well below that, open loop; POST→CONFIRMED
//   p50/p99 is the checkout's own latency. It starts once the platform is quiet again
//   (every saturated order delivered, then back near the CPU it used at rest before the
//   warm-up):
//   a confirmed order's shipment still moves on for three carrier steps (10 s each,
//   with e-mails and projections), and that work is reported as the saturated orders'
//   `afterwards`, not left to slow the paced orders.
// Times are the order service's own (placement and confirmation in the order's
// timeline), so polling for the outcome adds nothing to them.
// Run: npm run bench -- checkout [--orders 600] [--warmup 200] [--concurrency 32] [--paced 40] [--rate half|N]
//      [--bus postgres,nats] [--mode orchestration,choreography] [--profile DIR] [--perf DIR]
//      [--statements]
// The saturated and paced runs record each platform process's CPU and how long its
// main thread waited for a core (from /proc; the part in
// the kernel too), the whole machine's (user, kernel, interrupts, idle, stolen), the
// shoppers' own, and the CPU the platform spent per confirmed order; --profile DIR writes every service's CPU
// profile (`--cpu-prof`) under DIR/<bus>-<mode>/; --perf DIR a system-wide `perf record`
// of the saturated window (Linux perf; the kernel's part included) as DIR/<bus>-<mode>.data. The statements and commits each
// database made per confirmed order are counted by PostgreSQL (statements.ts).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { commandLine, listOption, numberOption } from '@platform/devinfra/command-line';
import { freePort } from '@platform/testkit';
import { root } from '../../test/e2e/platform.ts';
import { openShop } from '../../test/e2e/shop.ts';
import { PlatformSampler, platformUse } from '../../tools/loadgen/src/processes.ts';
import { machineDetails } from '../machine.ts';
import { legsOf, pathsOf } from './legs.ts';
import { allSettled, checkout, DONE, outcome, type Placed, percentile } from './orders.ts';
import { perOrder, restingPercent, untilQuiet } from './platform-window.ts';
import { printRun, type Run } from './report.ts';
import { countsNow, countsPerOrder, STATEMENT_COUNTING } from './statements.ts';

const USAGE = `usage: npm run bench -- checkout [--orders 600] [--warmup 200] [--concurrency 32] [--paced 40] [--rate half|N]
       [--bus postgres,nats] [--mode orchestration,choreography] [--profile DIR] [--perf DIR] [--statements]

For each bus and saga mode, on a platform started as npm start starts it: --concurrency
shoppers place --orders orders back to back (after --warmup), then at least --paced
orders are placed at --rate a second (half the saturated rate by default). Writes
bench/results/checkout.json; bench/README.md says what each figure is.
  --profile DIR   every service's CPU profile under DIR/<bus>-<mode>/
  --perf DIR      a system-wide perf record of the saturated window, DIR/<bus>-<mode>.data
  --statements    print each database's busiest statements an order`;
const { values } = commandLine(USAGE, {
  options: {
    // 600 orders: at ~50 a second, a dozen seconds measured, long enough for the batches to settle.
    orders: { type: 'string', default: '600' },
    // 32 shoppers: at 16 the machine still had an eighth of its cores idle, so the
    // platform was not what limited the run (the `machine` figures say so).
    concurrency: { type: 'string', default: '32' },
    paced: { type: 'string', default: '40' },
    // Orders placed (at full concurrency) before the measured ones; at least one a shopper.
    warmup: { type: 'string', default: '200' },
    // Orders a second for the paced run; `half` is half the saturated rate just measured.
    rate: { type: 'string', default: 'half' },
    profile: { type: 'string' },
    // A system-wide `perf record` of the saturated window (every process and the kernel), to this folder.
    perf: { type: 'string' },
    // Print each database's busiest statements an order (the results file always has them).
    statements: { type: 'boolean', default: false },
    bus: { type: 'string', default: 'postgres,nats' },
    mode: { type: 'string', default: 'orchestration,choreography' },
  },
});
const count = (option: string, value: string) => numberOption(option, value, { min: 1, integer: true });
const ORDERS = count('--orders', values.orders);
const CONCURRENCY = count('--concurrency', values.concurrency);
const PACED = count('--paced', values.paced);
const WARMUP = numberOption('--warmup', values.warmup, { min: 0, integer: true });
const RATE = values.rate === 'half' ? 'half' : numberOption('--rate', values.rate, { positive: true });
const BUSES = listOption('--bus', values.bus, ['postgres', 'nats']);
const MODES = listOption('--mode', values.mode, ['orchestration', 'choreography']);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 4222) });
    socket.setTimeout(1_000);
    socket.once('connect', () => resolve(!!socket.end()));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(!!socket.destroy() && false));
  });
}

async function measure(bus: string, mode: string): Promise<Run> {
  const dataDir = join(root, '.test-data', `bench-checkout-${randomUUID().slice(0, 8)}`);
  const pgPort = await freePort();
  const { platform, shop } = await openShop(dataDir, {
    PLATFORM_PG_PORT: String(pgPort),
    PLATFORM_PG_SETTINGS: STATEMENT_COUNTING,
    SAGA_MODE: mode,
    INVENTORY_SEED_ON_HAND: '100000',
    LOG_LEVEL: 'warn',
    ...(bus === 'nats' ? { NATS_URL } : {}),
    ...(values.profile
      ? { PLATFORM_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${join(values.profile, `${bus}-${mode}`)}` }
      : {}),
    RATE_LIMIT_POLICIES: JSON.stringify({
      write: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
      browse: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
      auth: { capacity: 1_000, refillPerSecond: 1_000 },
    }),
  });
  try {
    const shoppers = await Promise.all(Array.from({ length: CONCURRENCY }, () => shop.shopper()));
    const products = await Promise.all([0, 1, 2, 3].map((skip) => shop.productWithStock(100_000, skip)));
    const sampler = PlatformSampler.forPlatform(dataDir, shop.gateway);
    const resting = sampler ? await restingPercent(sampler) : 0;
    // Warm-up, not counted: WARMUP orders from every shopper back to back, so the pools
    // are full and V8 has compiled the hot paths (at one order a shopper, the measured
    // window still spent ~5 % of the machine compiling: `--perf`).
    const warm: Placed = [];
    let warmed = 0;
    await Promise.all(
      shoppers.map(async (token, i) => {
        while (warmed < Math.max(WARMUP, shoppers.length)) {
          warmed++;
          warm.push({ id: await checkout(shop, token, products[i % products.length] ?? ''), token });
        }
      }),
    );
    await allSettled(shop, warm);

    const placeMs: number[] = [];
    const place = async (token: string, i: number) => {
      const began = performance.now();
      const id = await checkout(shop, token, products[i % products.length] ?? '');
      placeMs.push(performance.now() - began);
      return { id, token };
    };
    const saturated: Placed = [];
    let next = 0;
    const countsBefore = await countsNow(dataDir);
    const before = sampler?.sample();
    const recording = values.perf ? perfRecord(join(values.perf, `${bus}-${mode}.data`)) : undefined;
    const shoppersBefore = { cpu: process.cpuUsage(), at: performance.now() };
    await Promise.all(
      shoppers.map(async (token, client) => {
        while (next < ORDERS) {
          next++;
          saturated.push(await place(token, client));
        }
      }),
    );
    await allSettled(shop, saturated);
    const after = sampler?.sample();
    await recording?.stop();
    const shoppersCpu = process.cpuUsage(shoppersBefore.cpu);
    const shoppersCpuPercentOfOneCore =
      Math.round(
        ((shoppersCpu.user + shoppersCpu.system) / 1000 / (performance.now() - shoppersBefore.at)) * 1000,
      ) / 10;
    const countsAfter = await countsNow(dataDir);
    const busy = await outcome(shop, saturated);
    const platformUsed = before && after ? platformUse(before, after) : undefined;
    // What the saturated orders still cause once confirmed (their shipments move on for
    // three steps, with e-mails and projections) must end before the paced run, or that
    // run measures its latency on a machine still busy with them.
    const delivered = allSettled(shop, saturated, DONE);
    const drained = sampler ? await untilQuiet(sampler, resting, delivered) : await delivered;
    // Paced, open loop: one order every 1/rate s, whether or not the last has answered.
    const rate = RATE === 'half' ? Math.max(1, Math.round(busy.confirmedPerSecond / 2)) : RATE;
    const count = Math.max(PACED, rate * 10);
    console.log(`  paced: ${count} orders at ${rate}/s`);
    const pacedCountsBefore = await countsNow(dataDir);
    const pacedBefore = sampler?.sample();
    const paced = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * 1000) / rate));
        return place(shoppers[i % shoppers.length] ?? '', i);
      }),
    );
    await allSettled(shop, paced);
    const pacedAfter = sampler?.sample();
    const pacedCountsAfter = await countsNow(dataDir);
    const calm = await outcome(shop, paced);
    const pacedPlatform = perOrder(
      pacedBefore && pacedAfter ? platformUse(pacedBefore, pacedAfter) : undefined,
      calm.confirmed,
    );
    const crossings = await legsOf(
      dataDir,
      paced.map(({ id }) => id),
    );
    const paths = await pathsOf(
      dataDir,
      calm.slowest.map(({ id }) => id),
    );
    const slowest = calm.slowest.map(({ id, ms }) => ({ id, toConfirmedMs: ms, path: paths.get(id) ?? [] }));
    placeMs.sort((a, b) => a - b);
    return {
      bus,
      mode,
      saturated: {
        orders: ORDERS,
        ...busy,
        ...(platformUsed ? { platform: perOrder(platformUsed, busy.confirmed) } : {}),
        ...(drained
          ? {
              afterwards: {
                ...drained,
                cpuMsPerConfirmedOrder: Math.round((drained.cpuMs / Math.max(1, busy.confirmed)) * 10) / 10,
              },
            }
          : {}),
        shoppersCpuPercentOfOneCore,
        perOrder: countsPerOrder(countsBefore, countsAfter, busy.confirmed),
      },
      paced: {
        orders: count,
        ratePerSecond: rate,
        confirmed: calm.confirmed,
        toConfirmedMs: calm.toConfirmedMs,
        ...(pacedPlatform ? { platform: pacedPlatform } : {}),
        perOrder: countsPerOrder(pacedCountsBefore, pacedCountsAfter, calm.confirmed),
        crossings,
        slowest,
      },
      placeMs: { p50: percentile(placeMs, 50), p99: percentile(placeMs, 99) },
    };
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * `perf record` of the whole machine (every CPU, call graphs, 199 samples a second a
 * CPU) until stopped: where the cores went, the kernel's part included, which a Node
 * CPU profile cannot show. `perf report -i FILE --sort comm,dso` reads it.
 */
function perfRecord(file: string): { stop(): Promise<void> } {
  mkdirSync(dirname(file), { recursive: true });
  const child = spawn('perf', ['record', '-a', '-g', '-F', '199', '-o', file], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  child.once('error', (error) => console.log(`  perf record could not run: ${error.message}`));
  return {
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      child.kill('SIGINT');
      await exited;
      console.log(`  perf record of the saturated window: ${file}`);
    },
  };
}

const runs: Run[] = [];
const skipped: string[] = [];
for (const bus of BUSES) {
  if (bus === 'nats' && !(await reachable(NATS_URL))) {
    skipped.push(`nats: no server at ${NATS_URL} (start one, or set NATS_URL)`);
    console.log(`skipping the NATS runs: no server at ${NATS_URL}`);
    continue;
  }
  for (const mode of MODES) {
    console.log(
      `checkout: bus ${bus}, ${mode}: ${ORDERS} orders from ${CONCURRENCY} shoppers, then paced at ${RATE === 'half' ? 'half that rate' : `${RATE}/s`}...`,
    );
    const run = await measure(bus, mode);
    printRun(run, values.statements ?? false);
    runs.push(run);
  }
}
const result = { machine: machineDetails(), concurrency: CONCURRENCY, runs, skipped };
const file = join(root, 'bench', 'results', 'checkout.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten to ${file}`);
