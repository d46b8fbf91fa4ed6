import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { freePort } from '@platform/testkit';
import { GatewayConfig } from '../src/config.ts';
import { startGateway } from '../src/service.ts';

// An upstream standing in for the catalog, so each test can make it slow or odd.
let upstream: Server;
const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];

async function startUpstream(): Promise<string> {
  upstream = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers });
    if (request.url?.startsWith('/api/v1/products/slow')) {
      setTimeout(() => response.end('{}'), 8_000).unref();
      return;
    }
    if (request.url?.startsWith('/api/v1/products/cached')) {
      const body = JSON.stringify({ name: 'cached' });
      response.writeHead(200, {
        'content-type': 'application/json',
        etag: '"v1"',
        'content-length': body.length,
      });
      response.end(body);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', etag: '"abc"', connection: 'keep-alive' });
    response.end(JSON.stringify({ path: request.url }));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  return `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
}

async function startGatewayTo(catalogUrl: string): Promise<{ gateway: Service; url: string }> {
  const gateway = await startGateway(
    loadConfig(GatewayConfig, {
      CATALOG_URL: catalogUrl,
      IDENTITY_URL: catalogUrl,
      PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '500',
    }),
  );
  return { gateway, url: `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}` };
}

describe('gateway in front of a live upstream', () => {
  let gateway: Service;
  let url: string;

  before(async () => {
    ({ gateway, url } = await startGatewayTo(await startUpstream()));
  });
  after(async () => {
    await gateway.shutdown('test over');
    upstream.closeAllConnections();
    upstream.close();
  });

  test('gateway - forwards path and query, returns status, headers and body', async () => {
    const response = await fetch(`${url}/api/v1/products?q=head&page=2`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('etag'), '"abc"');
    assert.deepEqual(await response.json(), { path: '/api/v1/products?q=head&page=2' });
    assert.equal(seen.at(-1)?.url, '/api/v1/products?q=head&page=2');
  });

  test('gateway - passes the correlation id on and adds forwarding headers', async () => {
    const response = await fetch(`${url}/api/v1/categories`, {
      headers: { 'x-correlation-id': 'browse-7', connection: 'keep-alive', 'proxy-authorization': 'secret' },
    });
    assert.equal(response.headers.get('x-correlation-id'), 'browse-7');
    await response.body?.cancel();
    const headers = seen.at(-1)?.headers ?? {};
    assert.equal(headers['x-correlation-id'], 'browse-7');
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['proxy-authorization'], undefined, 'hop-by-hop headers stop at the gateway');
  });

  test('gateway - only routes marked cacheable may be stored by caches', async () => {
    const account = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await account.body?.cancel();
    assert.equal(account.headers.get('cache-control'), 'private, no-store');
    const products = await fetch(`${url}/api/v1/products`);
    await products.body?.cancel();
    assert.equal(products.headers.get('cache-control'), null, 'the catalog decides for its public data');
  });

  test('gateway - identity and internal headers a client sends are dropped', async () => {
    const response = await fetch(`${url}/api/v1/categories`, {
      headers: {
        'x-user-id': 'admin',
        'x-user-roles': 'admin',
        'x-internal-trusted': '1',
        'x-service-name': 'catalog',
      },
    });
    await response.body?.cancel();
    const names = Object.keys(seen.at(-1)?.headers ?? {});
    assert.deepEqual(
      names.filter((name) => /^x-(user|internal|service)-/.test(name)),
      [],
    );
  });

  test('gateway - a client holding the current ETag of a public GET gets 304', async () => {
    const response = await fetch(`${url}/api/v1/products/cached`, { headers: { 'if-none-match': '"v1"' } });
    assert.equal(response.status, 304);
    assert.equal(response.headers.get('etag'), '"v1"');
    const stale = await fetch(`${url}/api/v1/products/cached`, { headers: { 'if-none-match': '"v0"' } });
    assert.equal(stale.status, 200);
    assert.deepEqual(await stale.json(), { name: 'cached' });
  });

  test('gateway - an upstream slower than the route timeout gives a 504 problem', async () => {
    const response = await fetch(`${url}/api/v1/products/slow`);
    assert.equal(response.status, 504);
    assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    assert.equal(((await response.json()) as { code: string }).code, 'GATEWAY_TIMEOUT');
  });

  test('gateway - a method the route table does not allow is 405, and never reaches upstream', async () => {
    const before = seen.length;
    const response = await fetch(`${url}/api/v1/categories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"free lunch"}',
    });
    assert.equal(response.status, 405);
    await response.body?.cancel();
    assert.equal(seen.length, before);
  });

  test('gateway - a path outside the route table is 404', async () => {
    const response = await fetch(`${url}/internal/admin`);
    assert.equal(response.status, 404);
    await response.body?.cancel();
  });
});

describe('gateway in front of a dead upstream', () => {
  test('gateway - an upstream that refuses connections gives a 502 problem', async () => {
    const { gateway, url } = await startGatewayTo(`http://127.0.0.1:${await freePort()}`);
    try {
      const response = await fetch(`${url}/api/v1/products`);
      assert.equal(response.status, 502);
      const body = (await response.json()) as { code: string; detail: string };
      assert.equal(body.code, 'BAD_GATEWAY');
      assert.doesNotMatch(body.detail, /ECONNREFUSED|stack/);
    } finally {
      await gateway.shutdown('test over');
    }
  });
});
