// Several instances, one of them killed, one upstream slowed: what a user of the
// gateway sees. The platform is started as the README says, with --scale.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@platform/testkit';
import { clearUpAfterSuite, npmStart, type RunningPlatform, root, waitFor } from './platform.ts';

const dataDir = join(root, '.test-data', `resilience-${randomUUID().slice(0, 8)}`);
let platform: RunningPlatform;
let gateway: string;
let adminToken: string;

before(async () => {
  platform = await npmStart(
    {
      PLATFORM_DATA_DIR: dataDir,
      PLATFORM_PG_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      // Every GET goes to an instance (no fresh cache hits), and the test's own
      // load is not rate limited: this is about instances, not the edge.
      CACHE_FRESH_MS: '0',
      RATE_LIMIT_POLICIES: JSON.stringify({ browse: { capacity: 100_000, refillPerSecond: 100_000 } }),
    },
    120_000,
    ['--scale', 'catalog=3'],
  );
  gateway = platform.state.gateway;
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const login = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@platform.local', password: secrets['admin-password'] }),
  });
  adminToken = ((await login.json()) as { accessToken: string }).accessToken;
});
const clearUp = clearUpAfterSuite(dataDir, () => platform);
after(async () => {
  await platform?.stop();
  await clearUp();
});

interface Outcome {
  status: number;
  cache: string | null;
  ms: number;
  /** When the answer had been read (performance.now()). */
  endedAt: number;
}

async function get(path: string, token?: string): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(`${gateway}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    await response.arrayBuffer();
    const endedAt = performance.now();
    return {
      status: response.status,
      cache: response.headers.get('x-cache'),
      ms: endedAt - started,
      endedAt,
    };
  } catch {
    const endedAt = performance.now();
    return { status: 0, cache: null, ms: endedAt - started, endedAt };
  }
}

/** `workers` callers, each sending one GET after another, until `stop` is aborted. */
async function steadyLoad(paths: string[], workers: number, stop: AbortSignal): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let n = worker; !stop.aborted; n += workers) {
        outcomes.push(await get(paths[n % paths.length] ?? '/'));
        await sleep(20);
      }
    }),
  );
  return outcomes;
}

async function catalogInstances(): Promise<string[]> {
  const response = await fetch(`${gateway}/api/v1/admin/instances`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const body = (await response.json()) as {
    services: Array<{ service: string; instances: Array<{ instanceId: string }> }>;
  };
  return body.services.find((entry) => entry.service === 'catalog')?.instances.map((i) => i.instanceId) ?? [];
}

test('three catalog instances: kill -9 one under steady load, and no GET fails; it leaves the registry within its TTL', async () => {
  assert.match(
    platform.output(),
    /catalog-1 .*\n\s+catalog-2 .*\n\s+catalog-3 /,
    'the table lists each instance',
  );
  assert.deepEqual(await catalogInstances(), ['catalog-1', 'catalog-2', 'catalog-3']);
  const victim = platform.state.services.find((service) => service.instance === 'catalog-2');
  assert.ok(victim);

  const stop = new AbortController();
  const paths = ['/api/v1/products?limit=3', '/api/v1/categories', '/api/v1/products?q=tea&limit=5'];
  const load = steadyLoad(paths, 4, stop.signal);
  await sleep(1_500);
  process.kill(victim.pid, 'SIGKILL');
  const killedAt = Date.now();
  const left = await waitFor(
    'catalog-2 to leave the registry',
    async () => ((await catalogInstances()).includes('catalog-2') ? undefined : Date.now() - killedAt),
    20_000,
  );
  await sleep(1_000);
  stop.abort();
  const outcomes = await load;

  const failed = outcomes.filter((outcome) => outcome.status !== 200);
  assert.ok(outcomes.length > 100, `${outcomes.length} requests under load`);
  assert.deepEqual(failed, [], 'every GET succeeded while an instance died');
  assert.ok(
    outcomes.every((outcome) => outcome.cache !== 'STALE'),
    'answered by live instances, not from stale copies',
  );
  // TTL 10 s, swept every second, plus the watch that tells the gateway.
  assert.ok(left <= 12_000, `catalog-2 left the registry ${left} ms after the kill`);
  const resilience = (await (
    await fetch(`${gateway}/api/v1/admin/resilience`, { headers: { authorization: `Bearer ${adminToken}` } })
  ).json()) as { upstreams: { catalog: { breaker: { state: string } } } };
  assert.equal(
    resilience.upstreams.catalog.breaker.state,
    'closed',
    'one dead instance of three is not an outage',
  );
});

test('a latency fault on identity does not slow the catalog routes (bulkhead isolation)', async () => {
  const shopper = await fetch(`${gateway}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'slow@example.test', password: 'correct horse battery staple', name: 'S' }),
  });
  const token = ((await shopper.json()) as { accessToken: string }).accessToken;
  const fault = await fetch(`${gateway}/api/v1/admin/faults/identity`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs: 3_000, routes: ['/api/v1/users'], ttlSeconds: 60 }),
  });
  assert.equal(fault.status, 200);
  try {
    // Far more slow calls than identity's bulkhead admits (64 at once, 16 queued).
    const slow = Promise.all(Array.from({ length: 120 }, () => get('/api/v1/users/me', token)));
    await sleep(300);
    // Twenty at once while identity's slots are all taken: well within the catalog's own.
    const catalog = await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/products?limit=2')));
    const identity = await slow;

    assert.ok(catalog.every((outcome) => outcome.status === 200));
    const served = identity.filter((outcome) => outcome.status === 200);
    assert.ok(served.length >= 64, 'those admitted were served');
    // Relative, not a wall-clock budget (a busy CI machine stretches every call): had
    // the catalog shared identity's slots or sockets, its GETs would have waited for
    // the slowed calls to answer. All twenty end before the first admitted identity
    // call does (the fault's 3 s stays under the users routes' 5 s timeout).
    const lastCatalog = Math.max(...catalog.map((outcome) => outcome.endedAt));
    const firstIdentity = Math.min(...served.map((outcome) => outcome.endedAt));
    assert.ok(
      lastCatalog < firstIdentity,
      `the catalog GETs ended ${Math.round(lastCatalog - firstIdentity)} ms after the first slowed identity call answered`,
    );
    const refused = identity.filter((outcome) => outcome.status === 503);
    assert.ok(refused.length > 0, 'calls past the bulkhead are refused fast');
  } finally {
    await fetch(`${gateway}/api/v1/admin/faults/identity`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
  }
});
