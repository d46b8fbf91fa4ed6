import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { startTestIssuer, type TestIssuer } from '@platform/testkit';
import { Redis } from 'ioredis';
import { GatewayConfig } from '../src/config.ts';
import { startGateway } from '../src/service.ts';
import { redisUrl, withRedis } from './redis.ts';

// A catalog stand-in whose answers the tests switch: healthy, failing, or gone.
let upstream: Server;
let upstreamUrl: string;
let mode: 'ok' | 'fail' = 'ok';
let hits = 0;
let version = 1;
let issuer: TestIssuer;
/** Per-request and per-user headers an upstream may send with a public answer. */
const PERSONAL = (request: IncomingMessage) => ({
  'x-correlation-id': String(request.headers['x-correlation-id']),
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
});
/** `/api/v1/products/headers/<case>`: answers whose headers say whether they may be stored. */
const HEADER_CASES: Record<string, (request: IncomingMessage) => Record<string, string>> = {
  personal: PERSONAL,
  cookie: () => ({ 'set-cookie': 'session=someone' }),
  private: () => ({ 'cache-control': 'private, max-age=60' }),
  'no-store': () => ({ 'cache-control': 'no-store' }),
  vary: () => ({ vary: 'accept-language' }),
  public: () => ({ 'cache-control': 'public, max-age=30' }),
  unsaid: () => ({}),
};

before(async () => {
  issuer = await startTestIssuer();
  upstream = createServer((request, response) => {
    hits += 1;
    const headerCase = /^\/api\/v1\/products\/headers\/([a-z-]+)/.exec(request.url ?? '')?.[1];
    if (headerCase) {
      const body = JSON.stringify({ hit: hits });
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...HEADER_CASES[headerCase]?.(request),
      });
      response.end(body);
      return;
    }
    if (mode === 'fail') {
      response.writeHead(503, { 'content-type': 'application/problem+json' });
      response.end('{"status":503}');
      return;
    }
    if (request.method === 'POST') version += 1;
    const body = JSON.stringify({ path: request.url, version });
    response.writeHead(request.method === 'POST' ? 201 : 200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      etag: `"v${version}"`,
    });
    response.end(body);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
});
after(async () => {
  upstream.closeAllConnections();
  upstream.close();
  await issuer.close();
});

async function gatewayWith(env: Record<string, string> = {}): Promise<{ service: Service; url: string }> {
  const service = await startGateway(
    loadConfig(GatewayConfig, {
      CATALOG_URL: upstreamUrl,
      // The issuer serves its keys at any path, so it stands in for identity's JWKS.
      IDENTITY_URL: new URL(issuer.jwksUrl).origin,
      PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '500',
      // Fresh for the whole test unless a test says otherwise: no test races a clock.
      CACHE_FRESH_MS: '600000',
      ...env,
    }),
  );
  return { service, url: `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}` };
}

async function get(url: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, { headers });
  const body = response.status === 304 ? null : ((await response.json()) as { version?: number });
  return { status: response.status, cache: response.headers.get('x-cache'), headers: response.headers, body };
}

describe('response cache and stale fallback (in process)', () => {
  let gateway: { service: Service; url: string };
  before(async () => {
    gateway = await gatewayWith();
  });
  after(() => gateway.service.shutdown('test over'));

  test('cache - a public GET is answered from the cache while fresh', async () => {
    mode = 'ok';
    const before = hits;
    const first = await get(gateway.url, '/api/v1/products?limit=1');
    const second = await get(gateway.url, '/api/v1/products?limit=1');
    assert.equal(first.cache, 'MISS');
    assert.equal(second.cache, 'HIT');
    assert.deepEqual(second.body, first.body);
    assert.equal(hits - before, 1, 'the upstream was asked once');
  });

  test('cache - when the catalog fails, a product page comes from the stale copy, marked stale', async () => {
    mode = 'ok';
    // Never fresh: every request asks the upstream, and keeps the copy for when it fails.
    const never = await gatewayWith({ CACHE_FRESH_MS: '0' });
    try {
      await get(never.url, '/api/v1/products/p-1');
      mode = 'fail';
      const stale = await get(never.url, '/api/v1/products/p-1');
      assert.equal(stale.status, 200);
      assert.equal(stale.cache, 'STALE');
      assert.match(stale.headers.get('warning') ?? '', /^110 /);
      assert.equal(stale.body?.version, version);
      const nothing = await get(never.url, '/api/v1/products/never-cached');
      assert.equal(nothing.status, 503, 'nothing cached: the failure shows');
    } finally {
      mode = 'ok';
      await never.service.shutdown('test over');
    }
  });

  test('cache - a write through the gateway drops the cached copies of its upstream', async () => {
    mode = 'ok';
    const before = await get(gateway.url, '/api/v1/categories');
    const write = await fetch(`${gateway.url}/api/v1/products`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await issuer.token(['admin'])}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    assert.equal(write.status, 201);
    const after = await get(gateway.url, '/api/v1/categories');
    assert.equal(after.cache, 'MISS');
    assert.equal(after.body?.version, (before.body?.version ?? 0) + 1);
  });

  test('cache - a hit carries the caller’s own correlation id, never that of the request that filled it', async () => {
    const path = '/api/v1/products/headers/personal';
    const first = await get(gateway.url, path, { 'x-correlation-id': 'shopper-a' });
    const second = await get(gateway.url, path, { 'x-correlation-id': 'shopper-b' });
    assert.equal(first.headers.get('x-correlation-id'), 'shopper-a');
    assert.equal(second.cache, 'HIT');
    assert.equal(second.headers.get('x-correlation-id'), 'shopper-b');
    assert.notEqual(
      second.headers.get('traceparent'),
      PERSONAL({ headers: {} } as IncomingMessage).traceparent,
    );
    assert.equal(second.headers.get('content-type'), 'application/json', 'the representation is replayed');
  });

  test('cache - answers that set a cookie, are private, no-store or vary are not stored', async () => {
    for (const headerCase of ['cookie', 'private', 'no-store', 'vary']) {
      const path = `/api/v1/products/headers/${headerCase}`;
      const first = await get(gateway.url, path);
      const second = await get(gateway.url, path);
      assert.deepEqual([first.cache, second.cache], ['BYPASS', 'BYPASS'], headerCase);
      assert.notDeepEqual(first.body, second.body, `${headerCase}: both from the upstream`);
    }
    const cookie = await get(gateway.url, '/api/v1/products/headers/cookie');
    assert.equal(cookie.headers.get('set-cookie'), 'session=someone', 'passed on to its own caller');
  });

  test('cache - what a signed-in request fetched is stored only if the upstream says it is public', async () => {
    const authorization = `Bearer ${await issuer.token(['customer'])}`;
    const unsaid = '/api/v1/products/headers/unsaid';
    assert.equal((await get(gateway.url, unsaid, { authorization })).cache, 'BYPASS');
    assert.equal((await get(gateway.url, unsaid)).cache, 'MISS', 'a request without credentials stores it');
    const open = '/api/v1/products/headers/public';
    assert.equal((await get(gateway.url, open, { authorization })).cache, 'MISS');
    assert.equal((await get(gateway.url, open)).cache, 'HIT');
  });

  test('cache - private routes are never cached', async () => {
    const token = await issuer.token(['customer']);
    const response = await fetch(`${gateway.url}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.headers.get('x-cache'), null);
    assert.equal(response.headers.get('cache-control'), 'private, no-store');
  });
});

await withRedis('cache - shared through Redis', () => {
  test('cache - two gateways sharing Redis share the cache and its invalidation', async () => {
    mode = 'ok';
    const redis = new Redis(redisUrl);
    await redis.del('gateway:cache:catalog');
    await redis.quit();
    const a = await gatewayWith({ REDIS_URL: redisUrl, CACHE_FRESH_MS: '5000' });
    const b = await gatewayWith({ REDIS_URL: redisUrl, CACHE_FRESH_MS: '5000' });
    try {
      const path = `/api/v1/products?shared=${Date.now()}`;
      const first = await get(a.url, path);
      assert.equal(first.cache, 'MISS', JSON.stringify(first));
      assert.equal((await get(b.url, path)).cache, 'HIT', 'b answers from what a stored');
      await fetch(`${a.url}/api/v1/products`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await issuer.token(['admin'])}`,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      assert.equal((await get(b.url, path)).cache, 'MISS', "a's write invalidated b's copy");
    } finally {
      await a.service.shutdown('test over');
      await b.service.shutdown('test over');
    }
  });
});
