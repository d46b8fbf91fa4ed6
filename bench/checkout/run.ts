// Checkout benchmark: orders confirmed per second, and the time from `POST /orders`
// to CONFIRMED (p50/p90/p99), for each bus (the embedded PostgreSQL bus and NATS
// JetStream) and each saga mode. The platform is started as `npm start` starts it;
// shoppers place orders through the gateway from a fixed number of concurrent
// clients. Times are the order service's own: placement and confirmation as recorded
// in the order's timeline, so polling for the outcome adds nothing to them.
// Run: npm run bench -- checkout [--orders 200] [--concurrency 16] [--bus postgres,nats]
//      [--mode orchestration,choreography]
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from '../../test/e2e/platform.ts';
import { address, card, type Order, openShop, type Shop } from '../../test/e2e/shop.ts';
import { machineDetails } from '../machine.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
    bus: { type: 'string', default: 'postgres,nats' },
    mode: { type: 'string', default: 'orchestration,choreography' },
  },
});
const ORDERS = Number(values.orders);
const CONCURRENCY = Number(values.concurrency);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface Run {
  bus: string;
  mode: string;
  orders: number;
  confirmed: number;
  confirmedPerSecond: number;
  placeMs: { p50: number; p99: number };
  toConfirmedMs: { p50: number; p90: number; p99: number; max: number };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}

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

function confirmedAt(order: Order): number | undefined {
  const entry = order.timeline.find((e) => e.step === 'order' && e.outcome === 'confirmed');
  return entry ? Date.parse(entry.at) : undefined;
}

async function measure(bus: string, mode: string): Promise<Run> {
  const dataDir = join(root, '.test-data', `bench-checkout-${randomUUID().slice(0, 8)}`);
  const { platform, shop } = await openShop(dataDir, {
    SAGA_MODE: mode,
    INVENTORY_SEED_ON_HAND: '100000',
    LOG_LEVEL: 'warn',
    ...(bus === 'nats' ? { NATS_URL } : {}),
    RATE_LIMIT_POLICIES: JSON.stringify({
      write: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
      browse: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
      auth: { capacity: 1_000, refillPerSecond: 1_000 },
    }),
  });
  try {
    const shoppers = await Promise.all(Array.from({ length: CONCURRENCY }, () => shop.shopper()));
    const products = await Promise.all([0, 1, 2, 3].map((skip) => shop.productWithStock(100_000, skip)));
    // Warm-up: one order per shopper, not counted (JIT, pools, first connections).
    await Promise.all(shoppers.map((token, i) => checkout(shop, token, products[i % products.length] ?? '')));

    const placeMs: number[] = [];
    const placed: Array<{ id: string; token: string }> = [];
    let next = 0;
    await Promise.all(
      shoppers.map(async (token, client) => {
        while (next < ORDERS) {
          next++;
          const began = performance.now();
          const id = await checkout(shop, token, products[client % products.length] ?? '');
          placeMs.push(performance.now() - began);
          placed.push({ id, token });
        }
      }),
    );
    await allSettled(shop, placed);
    // Eight at a time: the gateway's bulkhead (rightly) refuses a burst of hundreds.
    const settled: Order[] = [];
    for (let i = 0; i < placed.length; i += 8) {
      settled.push(
        ...(await Promise.all(placed.slice(i, i + 8).map(({ id, token }) => shop.order(token, id)))),
      );
    }
    const spans: number[] = [];
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const order of settled) {
      const created = Date.parse(order.createdAt);
      const confirmed = confirmedAt(order);
      if (confirmed === undefined) continue;
      spans.push(confirmed - created);
      first = Math.min(first, created);
      last = Math.max(last, confirmed);
    }
    spans.sort((a, b) => a - b);
    placeMs.sort((a, b) => a - b);
    return {
      bus,
      mode,
      orders: ORDERS,
      confirmed: spans.length,
      confirmedPerSecond: Math.round((spans.length / ((last - first) / 1000)) * 10) / 10,
      placeMs: { p50: percentile(placeMs, 50), p99: percentile(placeMs, 99) },
      toConfirmedMs: {
        p50: percentile(spans, 50),
        p90: percentile(spans, 90),
        p99: percentile(spans, 99),
        max: percentile(spans, 100),
      },
    };
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const SETTLED = ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'];

/** Waits for every order to settle, asking once a second per shopper (not per order: that would be load). */
async function allSettled(shop: Shop, placed: Array<{ id: string; token: string }>): Promise<void> {
  const waiting = new Set(placed.map(({ id }) => id));
  const tokens = [...new Set(placed.map(({ token }) => token))];
  const deadline = Date.now() + 300_000;
  while (waiting.size > 0) {
    if (Date.now() > deadline) throw new Error(`${waiting.size} orders did not settle within 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const token of tokens) {
      for (let page = 1; ; page++) {
        const list = await shop.call<{
          data: Array<{ id: string; status: string }>;
          pagination: { totalPages: number };
        }>('GET', `/api/v1/orders?limit=100&page=${page}`, { token });
        for (const order of list.body.data) if (SETTLED.includes(order.status)) waiting.delete(order.id);
        if (page >= list.body.pagination.totalPages) break;
      }
    }
  }
}

async function checkout(shop: Shop, token: string, productId: string): Promise<string> {
  const placed = await shop.place(token, {
    items: [{ productId, quantity: 1 }],
    shippingAddress: address(),
    payment: card(),
  });
  if (placed.status !== 202) throw new Error(`POST /orders: ${placed.status} ${JSON.stringify(placed.body)}`);
  return placed.body.id;
}

const runs: Run[] = [];
const skipped: string[] = [];
for (const bus of (values.bus ?? '').split(',')) {
  if (bus === 'nats' && !(await reachable(NATS_URL))) {
    skipped.push(`nats: no server at ${NATS_URL} (start one, or set NATS_URL)`);
    console.log(`skipping the NATS runs: no server at ${NATS_URL}`);
    continue;
  }
  for (const mode of (values.mode ?? '').split(',')) {
    console.log(`checkout: ${ORDERS} orders from ${CONCURRENCY} clients, bus ${bus}, ${mode}...`);
    const run = await measure(bus, mode);
    console.log(
      `  ${run.confirmed}/${run.orders} confirmed, ${run.confirmedPerSecond}/s; POST→CONFIRMED p50 ${run.toConfirmedMs.p50} ms, p99 ${run.toConfirmedMs.p99} ms`,
    );
    runs.push(run);
  }
}
const result = { machine: machineDetails(), orders: ORDERS, concurrency: CONCURRENCY, runs, skipped };
const file = join(root, 'bench', 'results', 'checkout.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten to ${file}`);
