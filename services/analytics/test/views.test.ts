import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyEvents } from '../src/projection.ts';
import { type Harness, startHarness } from './harness.ts';
import { confirmed, created, expected, P1, refunded, republished, scriptedEvents } from './scenario.ts';

// The scripted orders through a real bus, and every view against the figures worked
// out by hand in scenario.ts.

let h: Harness;

before(async () => {
  h = await startHarness('analytics_views');
  await h.publish(scriptedEvents());
  await h.caughtUp(expected.events);
});
after(() => h.close());

const data = async (path: string) => (await h.call<{ data: unknown[] }>(path)).body.data;

test('analytics - the funnel counts each stage once per order, with conversion rates', async () => {
  assert.deepEqual((await h.call('/api/v1/analytics/funnel')).body, expected.funnel);
});

test('analytics - sales per day are confirmed orders by the day they were placed, per currency', async () => {
  assert.deepEqual(await data('/api/v1/analytics/sales/daily'), expected.daily);
  assert.deepEqual(await data('/api/v1/analytics/sales/daily?from=2025-03-02&to=2025-03-02&currency=USD'), [
    expected.daily[1],
  ]);
  assert.deepEqual(await data('/api/v1/analytics/sales/daily?to=2025-03-01'), [expected.daily[2]]);
});

test('analytics - sales per category count item revenue of confirmed orders, per currency', async () => {
  assert.deepEqual(await data('/api/v1/analytics/sales/categories'), expected.categories);
  assert.deepEqual(await data('/api/v1/analytics/sales/categories?currency=EUR'), [expected.categories[1]]);
});

test('analytics - top products by units and by revenue, paginated with links', async () => {
  assert.deepEqual(await data('/api/v1/analytics/products/top'), expected.topByUnits);
  const byRevenue = (await data('/api/v1/analytics/products/top?by=revenue')) as Array<{ sku: string }>;
  assert.deepEqual(
    byRevenue.map((product) => product.sku),
    ['B-2', 'D-4', 'A-1', 'C-3'],
  );
  const second = await h.call<{
    data: unknown[];
    pagination: { total: number; totalPages: number };
    _links: { next: string | null; prev: string | null };
  }>('/api/v1/analytics/products/top?by=units&page=2&limit=3');
  assert.deepEqual(second.body.data, [expected.topByUnits[3]]);
  assert.deepEqual(second.body.pagination, { page: 2, limit: 3, total: 4, totalPages: 2 });
  assert.equal(second.body._links.next, null);
  assert.equal(second.body._links.prev, '/api/v1/analytics/products/top?by=units&page=1&limit=3');
});

test('analytics - revenue per currency is net of refunds, a refund counted once however often it is delivered', async () => {
  assert.deepEqual(await data('/api/v1/analytics/revenue'), expected.revenue);
  assert.deepEqual(await data('/api/v1/analytics/revenue?currency=EUR'), [expected.revenue[0]]);
});

test('analytics - the average time from order to delivery uses the events own times', async () => {
  assert.deepEqual((await h.call('/api/v1/analytics/delivery-time')).body, expected.deliveryTime);
});

test('analytics - projection lag is now minus the newest applied event time, on /metrics', async () => {
  const status = await h.call<{ eventsApplied: number; lastEventAt: string; lagSeconds: number }>(
    '/api/v1/analytics/status',
  );
  assert.equal(status.body.eventsApplied, expected.events);
  assert.equal(status.body.lastEventAt, expected.newestEventAt);
  const metrics = await (await fetch(`${h.base}/metrics`)).text();
  const lag = Number(/^analytics_projection_lag_seconds\{[^}]*\} (\S+)$/m.exec(metrics)?.[1]);
  const want = (Date.now() - Date.parse(expected.newestEventAt)) / 1000;
  assert.ok(Math.abs(lag - want) < 60, `lag ${lag} s, expected about ${want} s`);
  assert.match(metrics, /analytics_events_applied_total\{[^}]*type="order.created"[^}]*\} 7/);
});

test('analytics - the same event applied twice changes nothing the second time', async () => {
  const before = await Promise.all([h.call('/api/v1/analytics/funnel'), h.call('/api/v1/analytics/revenue')]);
  const again = created(1, '2025-03-01T10:00:00Z', [], {
    subtotal: 0,
    tax: 0,
    shipping: 0,
    total: 0,
    currency: 'USD',
  });
  const client = await h.pool.connect();
  try {
    const [first] = await h.query<{ event_id: string }>(
      `SELECT event_id FROM applied_events WHERE type = 'order.created' ORDER BY event_time LIMIT 1`,
    );
    assert.deepEqual(await applyEvents(client, [{ ...again, id: first?.event_id ?? '' }]), ['duplicate']);
  } finally {
    client.release();
  }
  const after = await Promise.all([h.call('/api/v1/analytics/funnel'), h.call('/api/v1/analytics/revenue')]);
  assert.deepEqual(
    after.map((answer) => answer.body),
    before.map((answer) => answer.body),
  );
});

test('analytics - a refund lowers net revenue once, however often it is delivered', async () => {
  // O6 was only placed; confirm it, refund 400 of it, and deliver that refund three times.
  const refund = refunded(6, '2025-03-05T10:00:00Z', 400, 400);
  await h.publish([republished(refund, '2025-03-05T10:00:01Z'), refund]);
  await h.caughtUp(expected.events + 2);
  const sums = { subtotal: 1_000, tax: 0, shipping: 0, total: 1_000, currency: 'USD' };
  await h.publish([confirmed(6, '2025-03-03T08:00:05Z', sums), republished(refund, '2025-03-05T10:00:02Z')]);
  await h.caughtUp(expected.events + 4);
  const usd = ((await data('/api/v1/analytics/revenue?currency=USD')) as Array<Record<string, number>>)[0];
  assert.deepEqual(usd, { currency: 'USD', orders: 4, gross: 14_000, refunded: 4_900, net: 9_100 });
  const top = (await data('/api/v1/analytics/products/top')) as Array<{ productId: string; units: number }>;
  assert.equal(top.find((product) => product.productId === P1)?.units, 4);
  assert.equal(((await h.call('/api/v1/analytics/funnel')).body as { confirmed: number }).confirmed, 5);
});
