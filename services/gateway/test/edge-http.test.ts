import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { startTestIssuer, type TestIssuer } from '@platform/testkit';
import { GatewayConfig } from '../src/config.ts';
import { startGateway } from '../src/service.ts';

let upstream: Server;
let received: number[] = [];
let gateway: Service;
let url: string;
let issuer: TestIssuer;

before(async () => {
  upstream = createServer((request, response) => {
    let size = 0;
    request.on('data', (chunk: Buffer) => (size += chunk.length));
    request.on('end', () => {
      received.push(size);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ size }));
    });
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  issuer = await startTestIssuer();
  // The test issuer's JWKS stands in for identity's; its tokens carry the admin role.
  gateway = await startGateway(
    loadConfig(GatewayConfig, {
      PORT: '0',
      CATALOG_URL: upstreamUrl,
      IDENTITY_URL: issuer.jwksUrl.replace('/.well-known/jwks.json', ''),
      CORS_ORIGINS: 'https://shop.example.test',
      BODY_LIMIT_BYTES: '2048',
      LOG_LEVEL: 'silent',
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

test('gateway - a request body over the limit is a 413 problem and never reaches the upstream', async () => {
  received = [];
  const headers = {
    authorization: `Bearer ${await issuer.token(['admin'])}`,
    'content-type': 'application/json',
  };
  const small = await fetch(`${url}/api/v1/products`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'x' }),
  });
  assert.equal(small.status, 200);
  assert.deepEqual(await small.json(), { size: 12 }, 'the body arrives byte for byte');
  const big = await fetch(`${url}/api/v1/products`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'x'.repeat(5_000) }),
  });
  assert.equal(big.status, 413);
  assert.equal(big.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  await big.body?.cancel();
  assert.deepEqual(received, [12]);
});

test('gateway - CORS: the configured origin may call, others are not granted', async () => {
  const preflight = (origin: string, method = 'POST', path = '/api/v1/products') =>
    fetch(`${url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization, content-type',
      },
    });
  const allowed = await preflight('https://shop.example.test');
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example.test');
  assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/);
  assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
  const other = await preflight('https://evil.example.test');
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const simple = await fetch(`${url}/api/v1/categories`, {
    headers: { origin: 'https://shop.example.test' },
  });
  assert.equal(simple.headers.get('access-control-allow-origin'), 'https://shop.example.test');
  assert.match(simple.headers.get('access-control-expose-headers') ?? '', /etag/);
});

test('gateway - CORS: every preflight is a 204 or a problem, and says the methods of its own path', async () => {
  const options = (path: string, headers: Record<string, string>) =>
    fetch(`${url}${path}`, { method: 'OPTIONS', headers });
  const shop = 'https://shop.example.test';
  const categories = await options('/api/v1/categories', {
    origin: shop,
    'access-control-request-method': 'GET',
  });
  assert.equal(categories.status, 204);
  assert.equal(categories.headers.get('access-control-allow-methods'), 'GET, HEAD');
  for (const [why, path, headers, status] of [
    [
      'another origin',
      '/api/v1/products',
      { origin: 'https://evil.example.test', 'access-control-request-method': 'GET' },
      403,
    ],
    [
      'a method the path does not take',
      '/api/v1/categories',
      { origin: shop, 'access-control-request-method': 'DELETE' },
      403,
    ],
    [
      'a path outside the table',
      '/internal/admin',
      { origin: shop, 'access-control-request-method': 'GET' },
      404,
    ],
    [
      'a path that is not canonical',
      '/api/v1/products//x',
      { origin: shop, 'access-control-request-method': 'GET' },
      400,
    ],
  ] as const) {
    const refused = await options(path, headers);
    assert.equal(refused.status, status, why);
    assert.equal(refused.headers.get('content-type')?.split(';')[0], 'application/problem+json', why);
    if (why === 'another origin') assert.equal(refused.headers.get('access-control-allow-origin'), null);
    await refused.body?.cancel();
  }
  // Not a preflight (no Origin, or no method asked for): what HTTP says OPTIONS is.
  for (const headers of [{}, { origin: shop }] as Array<Record<string, string>>) {
    const plain = await options('/api/v1/categories', headers);
    assert.equal(plain.status, 204);
    assert.equal(plain.headers.get('allow'), 'GET, HEAD, OPTIONS');
  }
});

test('gateway - every response carries security headers', async () => {
  const response = await fetch(`${url}/api/v1/categories`);
  await response.body?.cancel();
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.match(response.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
});
