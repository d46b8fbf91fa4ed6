import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertPagingBounds, undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import { type Harness, startHarness } from './harness.ts';

// The admin API's edges: who may call it, and what bad input gets.

let h: Harness;

before(async () => {
  h = await startHarness('analytics_http');
});
after(() => h.close());

const VIEWS = [
  '/api/v1/analytics/sales/daily',
  '/api/v1/analytics/sales/categories',
  '/api/v1/analytics/products/top',
  '/api/v1/analytics/funnel',
  '/api/v1/analytics/delivery-time',
  '/api/v1/analytics/revenue',
  '/api/v1/analytics/status',
];

test('http - every view and the rebuild are for administrators: 401 without a token, 403 for a customer', async () => {
  const customer = await h.issuer.token(['customer']);
  for (const path of VIEWS) {
    const anonymous = await h.call(path, { token: null });
    assert.equal(anonymous.status, 401, path);
    assert.match(anonymous.type, /application\/problem\+json/);
    const forbidden = await h.call(path, { token: customer });
    assert.equal(forbidden.status, 403, path);
    assert.match(forbidden.type, /application\/problem\+json/);
  }
  const rebuild = await h.call('/api/v1/analytics/rebuild', { method: 'POST', token: customer });
  assert.equal(rebuild.status, 403);
});

test('http - before any event the views are empty, with null rates and averages', async () => {
  assert.deepEqual((await h.call('/api/v1/analytics/funnel')).body, {
    created: 0,
    confirmed: 0,
    rejected: 0,
    cancelled: 0,
    delivered: 0,
    conversion: { confirmed: null, rejected: null, cancelled: null, delivered: null },
  });
  assert.deepEqual((await h.call('/api/v1/analytics/delivery-time')).body, {
    orders: 0,
    averageSeconds: null,
  });
  const daily = await h.call<{ data: unknown[]; pagination: { total: number } }>(
    '/api/v1/analytics/sales/daily',
  );
  assert.deepEqual([daily.body.data, daily.body.pagination.total], [[], 0]);
  assert.equal((await h.call<{ lagSeconds: number }>('/api/v1/analytics/status')).body.lagSeconds, 0);
});

test('http - bad query parameters are a 400 problem, never a 500', async () => {
  const bad = [
    '/api/v1/analytics/sales/daily?from=yesterday',
    '/api/v1/analytics/sales/daily?from=2025-02-30',
    '/api/v1/analytics/sales/daily?currency=usd',
    '/api/v1/analytics/sales/daily?limit=500',
    '/api/v1/analytics/sales/daily?page=0',
    '/api/v1/analytics/sales/categories?limit=abc',
    '/api/v1/analytics/products/top?by=price',
    '/api/v1/analytics/revenue?currency=EURO',
  ];
  for (const path of bad) {
    const answer = await h.call(path);
    assert.equal(answer.status, 400, path);
    assert.match(answer.type, /application\/problem\+json/, path);
  }
  const range = await h.call<{ code: string }>('/api/v1/analytics/sales/daily?from=2025-03-02&to=2025-03-01');
  assert.equal(range.status, 400);
  assert.equal(range.body.code, 'INVALID_RANGE');
});

test('http - the three lists refuse paging past page 1000 or not in decimal digits', async () => {
  const admin = await h.issuer.token(['admin']);
  for (const path of [
    '/api/v1/analytics/sales/daily',
    '/api/v1/analytics/sales/categories',
    '/api/v1/analytics/products/top',
  ]) {
    await assertPagingBounds((query) =>
      fetch(`${h.base}${path}?${query}`, { headers: { authorization: `Bearer ${admin}` } }),
    );
  }
});

test('http - the routes are described in /openapi.json', async () => {
  const spec = (await h.call<{ paths: Record<string, unknown> }>('/openapi.json', { token: null })).body;
  for (const path of [...VIEWS, '/api/v1/analytics/rebuild']) assert.ok(spec.paths[path], path);
  await validateOpenApi(spec);
  assert.deepEqual(await undocumentedAnswers(h.base), [], 'every answer above is documented');
});
