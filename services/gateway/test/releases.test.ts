// The gateway in front of two real versions of a small catalog (1.0.0 and 2.0.0, told
// apart by static discovery's `#version`): a canary's split by caller, a forced version,
// the analysis rolling a failing canary back by itself while a canary answering 4xx is
// promoted, blue-green gated by its smoke check, the strangler share, and the problems.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '@platform/chassis';
import { eventually, startTestIssuer, type TestIssuer } from '@platform/testkit';
import { GatewayConfig } from '../src/config.ts';
import { routes } from '../src/routes.ts';
import { type Gateway, startGateway } from '../src/service.ts';

type Mode = 'ok' | 'fail' | 'missing' | 'not-ready' | 'flaky';

interface Version {
  server: Server;
  url: string;
  mode: Mode;
  /** Paths of the requests it got. */
  seen: string[];
  /** How many it answered 503 (flaky). */
  unavailable: number;
  /** The distinct calls (URLs) it has seen, to fail a call's first attempt only (flaky). */
  calls: Set<string>;
}

/** True for the first attempt of every other distinct call (URL) a flaky version sees. */
function firstAttemptOfEveryOtherCall(self: Version, url: string): boolean {
  if (self.calls.has(url)) return false;
  self.calls.add(url);
  return self.calls.size % 2 === 0;
}

async function startVersion(version: string): Promise<Version> {
  const self: Version = {
    server: createServer(),
    url: '',
    mode: 'ok',
    seen: [],
    unavailable: 0,
    calls: new Set(),
  };
  self.server.on('request', (request, response) => {
    self.seen.push(`${request.method} ${request.url}`);
    if (request.url === '/readyz') {
      response.writeHead(self.mode === 'not-ready' ? 503 : 200).end();
      return;
    }
    // Flaky: every other call's first attempt unavailable (503), and its retry answered,
    // whatever order concurrent calls arrive in (each caller's URL is its own).
    const flaked = self.mode === 'flaky' && firstAttemptOfEveryOtherCall(self, request.url ?? '');
    if (flaked) self.unavailable += 1;
    const status = self.mode === 'fail' ? 500 : self.mode === 'missing' ? 404 : flaked ? 503 : 200;
    // The categories as a list (empty), which the storefront's home page reads.
    const body = request.url?.startsWith('/api/v1/categories') ? { data: [], version } : { version };
    // One product's page is public, for a shared cache to store.
    const shared = request.url?.startsWith('/api/v1/products/shared')
      ? { 'cache-control': 'public, max-age=60' }
      : {};
    const text = JSON.stringify(body);
    response
      .writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...shared,
      })
      .end(text);
  });
  self.server.listen(0, '127.0.0.1');
  await once(self.server, 'listening');
  self.url = `http://127.0.0.1:${(self.server.address() as { port: number }).port}`;
  return self;
}

// The strangler example of docs/patterns.md, on the categories: a quarter of callers to 2.0.0.
const categories = routes.find((route) => route.prefix === '/api/v1/categories');
assert.ok(categories);
categories.strangler = { upstream: 'catalog', version: '2.0.0', percent: 25 };

let issuer: TestIssuer;
let v1: Version;
let v2: Version;
let gateway: Gateway;
let base: string;
let admin: string;

/** A gateway in front of both versions (`env` over the defaults). */
function gatewayOnBoth(env: Record<string, string>): Promise<Gateway> {
  return startGateway(
    loadConfig(GatewayConfig, {
      CATALOG_URL: `${v1.url}#1.0.0,${v2.url}#2.0.0`,
      IDENTITY_URL: new URL(issuer.jwksUrl).origin,
      PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '500',
      ...env,
    }),
  );
}

before(async () => {
  issuer = await startTestIssuer();
  [v1, v2] = await Promise.all([startVersion('1.0.0'), startVersion('2.0.0')]);
  gateway = await gatewayOnBoth({
    CACHE_FRESH_MS: '0',
    RELEASE_TICK_MS: '50',
    RATE_LIMIT_POLICIES: JSON.stringify({
      browse: { capacity: 100_000, refillPerSecond: 100_000 },
      write: { capacity: 1_000, refillPerSecond: 1_000 },
    }),
  });
  base = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
  admin = await issuer.token(['admin']);
});
after(async () => {
  await gateway.shutdown('test over');
  for (const { server } of [v1, v2]) {
    server.closeAllConnections();
    server.close();
  }
  await issuer.close();
});
beforeEach(async () => {
  v1.mode = 'ok';
  v2.mode = 'ok';
  await fetch(`${base}/api/v1/admin/releases/catalog`, { method: 'DELETE', headers: auth(admin) });
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** The version that answered a read of the products as `guest`. */
async function versionFor(guest: string, path = '/api/v1/products'): Promise<string> {
  const response = await fetch(`${base}${path}?who=${guest}`, { headers: { 'x-guest-id': guest } });
  const body = (await response.json()) as { version?: string };
  return body.version ?? `status ${response.status}`;
}

/** The versions that answered `count` callers, asked a few at a time (the bulkhead queues only so many). */
async function versionsFor(count: number, prefix: string, path?: string): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) =>
      versionFor(`${prefix}${i + j}`, path),
    );
    seen.push(...(await Promise.all(batch)));
  }
  return seen;
}

async function releaseCall(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/api/v1/admin/releases${path}`, {
    method,
    headers: { ...auth(admin), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text ? JSON.parse(text) : {},
  };
}

const canary = (body: Record<string, unknown>) => releaseCall('POST', '/catalog/canary', body);

async function book() {
  return (await releaseCall('GET', '')).body as {
    releases: Array<{ release: { state?: string; step?: number; live?: string }; shares: unknown[] }>;
    decisions: Array<{ action: string; by: string; reason: string }>;
  };
}

describe('releases through the gateway', () => {
  test('releases - a canary at 30 % serves about 30 % of callers, each always by the same version', async () => {
    const started = await canary({ version: '2.0.0', steps: [30, 100], stepSeconds: 3_600 });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.release.baseline, '1.0.0');
    const seen = await versionsFor(400, 'guest-');
    const share = seen.filter((version) => version === '2.0.0').length / seen.length;
    assert.ok(share > 0.2 && share < 0.4, `canary share ${share}`);
    for (const i of [1, 2, 3, 4, 5]) assert.equal(await versionFor(`guest-${i}`), seen[i] ?? '');
  });

  test('releases - an administrator forces a version with x-platform-version; a shopper cannot', async () => {
    await canary({ version: '2.0.0', steps: [1, 100], stepSeconds: 3_600 });
    const forced = await fetch(`${base}/api/v1/products?forced`, {
      headers: { ...auth(admin), 'x-platform-version': '2.0.0' },
    });
    assert.deepEqual(await forced.json(), { version: '2.0.0' });
    assert.equal(forced.headers.get('x-platform-version'), '2.0.0');
    const shopper = await issuer.token(['customer'], 'shopper-on-the-baseline');
    const asked = await fetch(`${base}/api/v1/products?asked`, {
      headers: { ...auth(shopper), 'x-platform-version': '2.0.0' },
    });
    assert.equal(asked.headers.get('x-platform-version'), null);
    const { version } = (await asked.json()) as { version: string };
    const again = await fetch(`${base}/api/v1/products?again`, { headers: auth(shopper) });
    assert.deepEqual(await again.json(), { version }, 'the header changed nothing for a shopper');
  });

  test('releases - a canary answering 5xx is rolled back by the analysis, and everyone is on the baseline', async () => {
    v2.mode = 'fail';
    await canary({
      version: '2.0.0',
      steps: [50, 100],
      stepSeconds: 3_600,
      thresholds: { minRequests: 20, minErrors: 3 },
    });
    await eventually(async () => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => versionFor(`failing-${Math.random()}-${i}`)));
      return (await book()).releases[0]?.release.state === 'rolled-back';
    }, 15_000);
    const decision = (await book()).decisions[0];
    assert.equal(decision?.action, 'roll-back');
    assert.equal(decision?.by, 'analysis');
    assert.match(decision?.reason ?? '', /error rate/);
    const after = await Promise.all(Array.from({ length: 50 }, (_, i) => versionFor(`later-${i}`)));
    assert.deepEqual(new Set(after), new Set(['1.0.0']));
  });

  test('releases - a canary answering 4xx is not at fault: promoted step by step to complete', async () => {
    v2.mode = 'missing';
    // Only errors are under test: a loaded machine's p99 of 20 requests is noise.
    const thresholds = { minRequests: 20, latencyToleranceMs: 10_000 };
    await canary({ version: '2.0.0', steps: [50, 100], stepSeconds: 1, thresholds });
    const state = await eventually(async () => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => versionFor(`looking-${Math.random()}-${i}`)));
      const now = (await book()).releases[0]?.release.state;
      return now !== 'running' && now;
    }, 20_000);
    assert.equal(state, 'complete', JSON.stringify((await book()).decisions[0]));
    const actions = (await book()).decisions.map((decision) => decision.action);
    assert.deepEqual(actions.slice(0, actions.indexOf('start') + 1), ['complete', 'promote', 'start']);
  });

  test('releases - blue-green switches only once green passes its smoke check, and rolls back at once', async () => {
    const set = await releaseCall('POST', '/catalog/blue-green', {
      blue: '1.0.0',
      green: '2.0.0',
      smokePath: '/api/v1/categories',
    });
    assert.equal(set.status, 201, JSON.stringify(set.body));
    v2.mode = 'not-ready';
    const refused = await releaseCall('POST', '/catalog/switch', { colour: 'green' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'SMOKE_CHECK_FAILED');
    assert.match(refused.body.detail, /readyz answered 503/);
    assert.equal(await versionFor('bg-1'), '1.0.0');
    v2.mode = 'ok';
    const switched = await releaseCall('POST', '/catalog/switch', { colour: 'green' });
    assert.equal(switched.status, 200);
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => versionFor(`bg-${i}`)));
    assert.deepEqual(new Set(all), new Set(['2.0.0']));
    assert.equal((await releaseCall('POST', '/catalog/rollback')).status, 200);
    assert.equal(await versionFor('bg-1'), '1.0.0');
    const actions = (await book()).decisions.slice(0, 4).map((decision) => decision.action);
    assert.deepEqual(actions, ['roll-back', 'switch', 'switch-refused', 'start']);
  });

  test('releases - the strangler share sends a quarter of the categories’ callers to 2.0.0', async () => {
    // Everyone else on 1.0.0 (a split by hand), so the moved share is all 2.0.0 sees.
    assert.equal((await releaseCall('PUT', '/catalog/weights', { weights: { '1.0.0': 100 } })).status, 200);
    const seen = await versionsFor(400, 's-', '/api/v1/categories');
    assert.deepEqual(new Set(seen), new Set(['1.0.0', '2.0.0']));
    const share = seen.filter((version) => version === '2.0.0').length / seen.length;
    assert.ok(share > 0.18 && share < 0.32, `strangler share ${share}`);
  });

  test("releases - the gateway's composed pages read a shopper's version, the one the proxy gives them", async () => {
    const split = await releaseCall('PUT', '/catalog/weights', { weights: { '1.0.0': 50, '2.0.0': 50 } });
    assert.ok(split.status < 300, JSON.stringify(split.body));
    const composedBy = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const guest = `composed-${i}`;
      const proxied = await versionFor(guest);
      v1.seen.length = 0;
      v2.seen.length = 0;
      const home = await fetch(`${base}/api/v1/storefront/home`, { headers: { 'x-guest-id': guest } });
      assert.equal(home.status, 200);
      const asked = (seen: string[]) => seen.some((line) => line.startsWith('GET /api/v1/categories'));
      const composed = asked(v2.seen) ? '2.0.0' : asked(v1.seen) ? '1.0.0' : 'neither';
      assert.equal(composed, proxied, `${guest}: the home page's catalog read and the proxied read`);
      composedBy.add(composed);
    }
    assert.deepEqual(
      [...composedBy].sort(),
      ['1.0.0', '2.0.0'],
      'both versions composed pages for their shoppers',
    );
  });

  test("releases - one version's cached copy never answers a caller of the other", async () => {
    const caching = await gatewayOnBoth({ CACHE_FRESH_MS: '600000' });
    try {
      const at = `http://127.0.0.1:${(caching.app.server.address() as { port: number }).port}`;
      const split = await fetch(`${at}/api/v1/admin/releases/catalog/weights`, {
        method: 'PUT',
        headers: { ...auth(admin), 'content-type': 'application/json' },
        body: JSON.stringify({ weights: { '1.0.0': 50, '2.0.0': 50 } }),
      });
      assert.ok(split.ok, `${split.status}`);
      const read = async (guest: string) => {
        const response = await fetch(`${at}/api/v1/products/shared`, { headers: { 'x-guest-id': guest } });
        return {
          cache: response.headers.get('x-cache'),
          ...((await response.json()) as { version: string }),
        };
      };
      // Each guest reads twice: the second read is a hit, from their own version's copy.
      const seen = new Map<string, string>();
      for (let i = 0; i < 12; i++) {
        const first = await read(`cached-${i}`);
        const second = await read(`cached-${i}`);
        assert.equal(second.version, first.version, `cached-${i} kept their version`);
        assert.equal(second.cache, 'HIT');
        seen.set(first.version, first.cache ?? '');
      }
      assert.deepEqual(
        [...seen.keys()].sort(),
        ['1.0.0', '2.0.0'],
        'both versions answered, each from its own copy',
      );
    } finally {
      await caching.shutdown('test over');
    }
  });

  test('releases - bad input is a problem, never a 5xx', async () => {
    const cases: Array<[string, string, unknown, number, string?]> = [
      ['POST', '/nosuch/canary', { version: '2.0.0' }, 404, 'UNKNOWN_SERVICE'],
      ['POST', '/catalog/canary', { version: '9.9.9' }, 422, 'VERSION_NOT_RUNNING'],
      ['POST', '/catalog/canary', { version: '2.0.0', steps: [50, 20, 100] }, 422, 'RELEASE_INVALID'],
      ['POST', '/catalog/canary', { version: '2.0.0', baseline: '2.0.0' }, 422, 'RELEASE_INVALID'],
      ['POST', '/catalog/canary', { version: '2.0.0', steps: [5, 500] }, 400],
      ['POST', '/catalog/canary', { version: '../x' }, 400],
      ['PUT', '/catalog/weights', { weights: { '1.0.0': 90, '2.0.0': 20 } }, 422, 'RELEASE_INVALID'],
      ['POST', '/catalog/switch', { colour: 'green' }, 404, 'NO_RELEASE'],
      ['POST', '/catalog/switch', { colour: 'purple' }, 400],
      ['POST', '/catalog/rollback', undefined, 404, 'NO_RELEASE'],
      ['DELETE', '/catalog', undefined, 404, 'NO_RELEASE'],
      ['POST', '/catalog/blue-green', { blue: '1.0.0', green: '1.0.0' }, 422, 'RELEASE_INVALID'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await releaseCall(method, path, body);
      assert.equal(
        answer.status,
        status,
        `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`,
      );
      assert.match(answer.type ?? '', /application\/problem\+json/);
      if (code) assert.equal(answer.body.code, code);
    }
    assert.equal((await canary({ version: '2.0.0' })).status, 201);
    const again = await canary({ version: '2.0.0' });
    assert.deepEqual([again.status, again.body.code], [409, 'RELEASE_IN_PROGRESS']);
    const document = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const start = document.paths['/api/v1/admin/releases/{service}/canary']?.post;
    assert.ok(start, 'the canary route is in the API document');
    for (const status of ['400', '401', '403', '404', '409', '422'])
      assert.ok(start.responses[status], `documents ${status}`);
    const shopper = await fetch(`${base}/api/v1/admin/releases`, {
      headers: auth(await issuer.token(['customer'])),
    });
    assert.equal(shopper.status, 403);
  });

  test('releases - a fault injected into one version reaches its instances only', async () => {
    const response = await fetch(`${base}/api/v1/admin/faults/catalog?version=2.0.0`, {
      method: 'PUT',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, ttlSeconds: 5 }),
    });
    const answer = (await response.json()) as { instances: Array<{ url: string }> };
    assert.deepEqual(
      answer.instances.map((instance) => instance.url),
      [v2.url],
    );
    assert.ok(v2.seen.includes('PUT /admin/faults'));
    assert.ok(!v1.seen.includes('PUT /admin/faults'));
  });

  test('releases - every decision is counted on the metrics, with the share each version has', async () => {
    await releaseCall('PUT', '/catalog/weights', { weights: { '1.0.0': 80, '2.0.0': 20 } });
    const text = await (await fetch(`${gateway.managementUrl}/metrics`)).text();
    assert.match(text, /gateway_release_decisions_total\{service="catalog",action="split"[^}]*\} \d+/);
    assert.match(text, /gateway_release_share_percent\{service="catalog",version="2.0.0"[^}]*\} 20/);
    assert.match(text, /gateway_upstream_duration_seconds_count\{[^}]*version="2.0.0"[^}]*\} \d+/);
  });

  // Last: its 503s open 2.0.0's circuit in this gateway for a while.
  test('releases - a canary whose failures retries hide from its callers is rolled back all the same', async () => {
    v2.mode = 'flaky';
    v2.unavailable = 0;
    await canary({
      version: '2.0.0',
      steps: [50, 100],
      stepSeconds: 3_600,
      thresholds: { minRequests: 20, minErrors: 3 },
    });
    const answers: string[] = [];
    await eventually(async () => {
      const batch = Array.from({ length: 20 }, (_, i) => versionFor(`flaky-${Math.random()}-${i}`));
      answers.push(...(await Promise.all(batch)));
      return (await book()).releases[0]?.release.state === 'rolled-back';
    }, 15_000);
    const seen = answers.filter((answer) => answer.startsWith('status')).length;
    assert.ok(
      seen < v2.unavailable / 2,
      `callers saw ${seen} of the canary's ${v2.unavailable} failures: retries hid most of them`,
    );
    const decision = (await book()).decisions[0];
    assert.equal(decision?.action, 'roll-back');
    assert.equal(decision?.by, 'analysis');
  });
});
