// Analytics as an operator sees it: real checkouts through the gateway show up in the
// admin views, and a rebuild from the bus history (through the gateway, and with the
// CLI) gives the same views.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { clearUpAfterSuite, type RunningPlatform, root, waitFor } from './platform.ts';
import { address, card, DECLINE, type Order, openShop, type Shop } from './shop.ts';

const dataDir = join(root, '.test-data', `analytics-${randomUUID().slice(0, 8)}`);
let platform: RunningPlatform;
let shop: Shop;
let shopper: string;

interface Product {
  id: string;
  sku: string;
  name: string;
  category: string;
  price: { amount: number; currency: string };
}

before(async () => {
  ({ platform, shop } = await openShop(dataDir, {
    // Slow enough to cancel a confirmed order before its parcel leaves, quick enough to see one delivered.
    SHIPPING_STEP_MS: '2000',
    INVENTORY_SEED_ON_HAND: '1000',
  }));
  shopper = await shop.shopper();
});
const clearUp = clearUpAfterSuite(dataDir, () => platform);
after(async () => {
  await platform?.stop();
  await clearUp();
});

const admin = <T>(method: string, path: string) => shop.call<T>(method, path, { token: shop.adminToken });

async function views(): Promise<Record<string, unknown>> {
  const paths = [
    '/api/v1/analytics/funnel',
    '/api/v1/analytics/revenue',
    '/api/v1/analytics/delivery-time',
    '/api/v1/analytics/sales/daily?limit=100',
    '/api/v1/analytics/sales/categories?limit=100',
    '/api/v1/analytics/products/top?limit=100',
    '/api/v1/analytics/products/top?by=revenue&limit=100',
  ];
  const all: Record<string, unknown> = {};
  for (const path of paths) {
    const answer = await admin<unknown>('GET', path);
    assert.equal(answer.status, 200, path);
    all[path] = answer.body;
  }
  return all;
}

async function checkout(productId: string, quantity: number, cardNumber?: string): Promise<string> {
  const placed = await shop.place(shopper, {
    items: [{ productId, quantity }],
    shippingAddress: address(),
    payment: card(cardNumber),
  });
  assert.equal(placed.status, 202);
  return placed.body.id;
}

test('analytics e2e - real checkouts show up in the admin views: funnel, revenue net of a refund, products, delivery', async () => {
  const product = async (skip: number) => {
    const id = await shop.productWithStock(100, skip);
    return (await shop.call<Product>('GET', `/api/v1/products/${id}`)).body;
  };
  const [a, b] = [await product(0), await product(1)];
  const delivered = await checkout(a.id, 2);
  const refundedId = await checkout(b.id, 1);
  const rejected = await checkout(a.id, 1, DECLINE);
  await shop.settled(shopper, refundedId, ['CONFIRMED']);
  const cancel = await shop.call('POST', `/api/v1/orders/${refundedId}/cancel`, { token: shopper, body: {} });
  assert.equal(cancel.status, 202);
  const [kept, refunded]: Order[] = [
    await shop.settled(shopper, delivered, ['DELIVERED']),
    await shop.settled(shopper, refundedId, ['CANCELLED']),
  ];
  assert.equal((await shop.settled(shopper, rejected, ['REJECTED'])).status, 'REJECTED');
  assert.ok(kept && refunded);
  await shop.paymentsSettle(refundedId, (payment) => payment.status === 'REFUNDED');

  const funnel = { created: 3, confirmed: 2, rejected: 1, cancelled: 1, delivered: 1 };
  const conversion = { confirmed: 0.6667, rejected: 0.3333, cancelled: 0.3333, delivered: 0.3333 };
  await waitFor(
    'the refund in the analytics revenue',
    async () => {
      const [seen, revenue] = await Promise.all([
        admin<Record<string, unknown>>('GET', '/api/v1/analytics/funnel'),
        admin<{ data: Array<{ refunded: number }> }>('GET', '/api/v1/analytics/revenue'),
      ]);
      const { conversion: _rates, ...counts } = seen.body;
      const done = JSON.stringify(counts) === JSON.stringify(funnel) && revenue.body.data[0]?.refunded;
      return done ? true : undefined;
    },
    30_000,
  );
  const all = await views();
  assert.deepEqual(all['/api/v1/analytics/funnel'], { ...funnel, conversion });
  const currency = kept.totals.currency;
  assert.deepEqual((all['/api/v1/analytics/revenue'] as { data: unknown[] }).data, [
    {
      currency,
      orders: 2,
      gross: kept.totals.total + refunded.totals.total,
      refunded: refunded.totals.total,
      net: kept.totals.total,
    },
  ]);
  const top = (all['/api/v1/analytics/products/top?limit=100'] as { data: unknown[] }).data;
  assert.deepEqual(top, [
    { productId: a.id, sku: a.sku, name: a.name, currency, orders: 1, units: 2, revenue: 2 * a.price.amount },
    { productId: b.id, sku: b.sku, name: b.name, currency, orders: 1, units: 1, revenue: b.price.amount },
  ]);
  const daily = (all['/api/v1/analytics/sales/daily?limit=100'] as { data: Array<Record<string, number>> })
    .data;
  assert.equal(
    daily.reduce((sum, day) => sum + (day.units ?? 0), 0),
    3,
  );
  const delivery = all['/api/v1/analytics/delivery-time'] as { orders: number; averageSeconds: number };
  assert.equal(delivery.orders, 1);
  assert.ok(delivery.averageSeconds > 0 && delivery.averageSeconds < 120, `${delivery.averageSeconds} s`);
  const status = await admin<{ lagSeconds: number; eventsApplied: number }>(
    'GET',
    '/api/v1/analytics/status',
  );
  assert.ok(status.body.eventsApplied >= 6);
  assert.ok(status.body.lagSeconds < 300, `lag ${status.body.lagSeconds} s`);
});

test('analytics e2e - a rebuild from the bus history, through the gateway and with the CLI, gives the same views', async () => {
  const live = await views();
  const rebuilt = await admin<{ events: number; orders: number }>('POST', '/api/v1/analytics/rebuild');
  assert.equal(rebuilt.status, 200);
  assert.equal(rebuilt.body.orders, 3);
  assert.deepEqual(await views(), live);
  const { stdout } = await promisify(execFile)(
    'node',
    ['scripts/node.mjs', 'tools/analytics.ts', 'rebuild'],
    {
      cwd: root,
      env: { ...process.env, PLATFORM_DATA_DIR: dataDir },
    },
  );
  assert.match(stdout, new RegExp(`rebuilt from ${rebuilt.body.events} events .*: 3 orders`));
  assert.deepEqual(await views(), live);
  const customer = await shop.call('POST', '/api/v1/analytics/rebuild', { token: shopper });
  assert.equal(customer.status, 403);
});

test('analytics e2e - the dead-letters CLI reads a running service’s dead letters as the administrator', async () => {
  // The service's admin routes ask for an administrator's token, as the CLI's others do.
  const { stdout } = await promisify(execFile)(
    'node',
    ['scripts/node.mjs', 'tools/dead-letters.ts', 'analytics', 'list'],
    { cwd: root, env: { ...process.env, PLATFORM_DATA_DIR: dataDir } },
  );
  assert.match(stdout, /^0 of 0$/m);
});
