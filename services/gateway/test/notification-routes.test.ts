import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type GatewayWithStandIn, gatewayWithStandIn } from './stand-in.ts';

// The notification routes of the table: who may call them is decided at the edge,
// before anything reaches the notification service (a stand-in here).

let g: GatewayWithStandIn;
before(async () => {
  g = await gatewayWithStandIn('NOTIFICATION_URL');
});
after(() => g.close());

test('gateway - my notifications need a signed-in user and reach the notification service as asked', async () => {
  const before = g.seen.length;
  assert.equal((await g.call('GET', '/api/v1/notifications')).status, 401);
  assert.equal(g.seen.length, before, 'refused at the edge');
  const answer = await g.call('GET', '/api/v1/notifications?page=2&limit=5', ['customer']);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('cache-control'), 'private, no-store');
  assert.equal(g.seen.at(-1), 'GET /api/v1/notifications?page=2&limit=5');
});

test('gateway - the mailbox and every delivery are for administrators only', async () => {
  for (const path of [
    '/api/v1/admin/mailbox?to=ada%40example.test',
    '/api/v1/admin/notifications?status=failed',
  ]) {
    const before = g.seen.length;
    assert.equal((await g.call('GET', path)).status, 401, path);
    assert.equal((await g.call('GET', path, ['customer'])).status, 403, path);
    assert.equal(g.seen.length, before, `${path}: refused at the edge`);
    assert.equal((await g.call('GET', path, ['admin'])).status, 200, path);
    assert.equal(g.seen.at(-1), `GET ${path}`);
  }
});

test('gateway - nothing writes to notifications from outside', async () => {
  for (const path of ['/api/v1/notifications', '/api/v1/admin/mailbox']) {
    assert.equal((await g.call('POST', path, ['admin'])).status, 405, path);
  }
});
