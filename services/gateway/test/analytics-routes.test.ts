import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type GatewayWithStandIn, gatewayWithStandIn } from './stand-in.ts';

// The analytics routes of the table: administrators only, decided at the edge before
// anything reaches the analytics service (a stand-in here); only the rebuild writes.

let g: GatewayWithStandIn;
before(async () => {
  g = await gatewayWithStandIn('ANALYTICS_URL');
});
after(() => g.close());

test('gateway - analytics views and the rebuild are for administrators only', async () => {
  for (const [method, path] of [
    ['GET', '/api/v1/analytics/sales/daily?from=2025-03-01&page=2'],
    ['GET', '/api/v1/analytics/funnel'],
    ['POST', '/api/v1/analytics/rebuild'],
  ] as const) {
    const before = g.seen.length;
    assert.equal((await g.call(method, path)).status, 401, path);
    assert.equal((await g.call(method, path, ['customer'])).status, 403, path);
    assert.equal(g.seen.length, before, `${path}: refused at the edge`);
    const answer = await g.call(method, path, ['admin']);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.headers.get('cache-control'), 'private, no-store');
    assert.equal(g.seen.at(-1), `${method} ${path}`);
  }
});

test('gateway - the views cannot be written from outside; only the rebuild is a POST', async () => {
  for (const [method, path] of [
    ['POST', '/api/v1/analytics/funnel'],
    ['DELETE', '/api/v1/analytics/sales/daily'],
  ] as const) {
    assert.equal((await g.call(method, path, ['admin'])).status, 405, `${method} ${path}`);
  }
});
