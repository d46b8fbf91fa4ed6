import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { startTestIssuer, type TestIssuer } from '@platform/testkit';
import { GatewayConfig } from '../src/config.ts';
import { startGateway } from '../src/service.ts';

// The notification routes of the table: who may call them is decided at the edge,
// before anything reaches the notification service (a stand-in here).

let upstream: Server;
let issuer: TestIssuer;
let gateway: Service;
let url: string;
const seen: string[] = [];

before(async () => {
  issuer = await startTestIssuer();
  upstream = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const notificationUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  gateway = await startGateway(
    loadConfig(GatewayConfig, {
      NOTIFICATION_URL: notificationUrl,
      IDENTITY_URL: new URL(issuer.jwksUrl).origin,
      PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '500',
    }),
  );
  url = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
});
after(async () => {
  await gateway.shutdown('test over');
  upstream.closeAllConnections();
  upstream.close();
  await issuer.close();
});

async function get(path: string, roles?: string[]) {
  const token = roles ? await issuer.token(roles) : undefined;
  const response = await fetch(`${url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  await response.arrayBuffer();
  return response;
}

test('gateway - my notifications need a signed-in user and reach the notification service as asked', async () => {
  const before = seen.length;
  assert.equal((await get('/api/v1/notifications')).status, 401);
  assert.equal(seen.length, before, 'refused at the edge');
  const answer = await get('/api/v1/notifications?page=2&limit=5', ['customer']);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('cache-control'), 'private, no-store');
  assert.equal(seen.at(-1), 'GET /api/v1/notifications?page=2&limit=5');
});

test('gateway - the mailbox and every delivery are for administrators only', async () => {
  for (const path of [
    '/api/v1/admin/mailbox?to=ada%40example.test',
    '/api/v1/admin/notifications?status=failed',
  ]) {
    const before = seen.length;
    assert.equal((await get(path)).status, 401, path);
    assert.equal((await get(path, ['customer'])).status, 403, path);
    assert.equal(seen.length, before, `${path}: refused at the edge`);
    assert.equal((await get(path, ['admin'])).status, 200, path);
    assert.equal(seen.at(-1), `GET ${path}`);
  }
});

test('gateway - nothing writes to notifications from outside', async () => {
  const token = await issuer.token(['admin']);
  for (const path of ['/api/v1/notifications', '/api/v1/admin/mailbox']) {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await response.arrayBuffer();
    assert.equal(response.status, 405, path);
  }
});
