import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { startTestIssuer, type TestIssuer } from '@platform/testkit';
import { GatewayConfig } from '../src/config.ts';
import { startGateway } from '../src/service.ts';

// The analytics routes of the table: administrators only, decided at the edge before
// anything reaches the analytics service (a stand-in here); only the rebuild writes.

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
  gateway = await startGateway(
    loadConfig(GatewayConfig, {
      ANALYTICS_URL: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
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

async function call(method: string, path: string, roles?: string[]) {
  const token = roles ? await issuer.token(roles) : undefined;
  const response = await fetch(`${url}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  await response.arrayBuffer();
  return response;
}

test('gateway - analytics views and the rebuild are for administrators only', async () => {
  for (const [method, path] of [
    ['GET', '/api/v1/analytics/sales/daily?from=2025-03-01&page=2'],
    ['GET', '/api/v1/analytics/funnel'],
    ['POST', '/api/v1/analytics/rebuild'],
  ] as const) {
    const before = seen.length;
    assert.equal((await call(method, path)).status, 401, path);
    assert.equal((await call(method, path, ['customer'])).status, 403, path);
    assert.equal(seen.length, before, `${path}: refused at the edge`);
    const answer = await call(method, path, ['admin']);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.headers.get('cache-control'), 'private, no-store');
    assert.equal(seen.at(-1), `${method} ${path}`);
  }
});

test('gateway - the views cannot be written from outside; only the rebuild is a POST', async () => {
  for (const [method, path] of [
    ['POST', '/api/v1/analytics/funnel'],
    ['DELETE', '/api/v1/analytics/sales/daily'],
  ] as const) {
    assert.equal((await call(method, path, ['admin'])).status, 405, `${method} ${path}`);
  }
});
