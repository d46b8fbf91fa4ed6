import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { staticDiscovery } from '../../src/discovery/static.ts';
import { ProblemError } from '../../src/errors.ts';
import { createHttpClient } from '../../src/http-client.ts';
import {
  createLogger,
  createPool,
  createService,
  discoveryConfig,
  loadConfig,
  type Service,
  Type,
} from '../../src/index.ts';
import { connectPeers } from '../../src/resilience/peers.ts';
import { createServiceClient } from '../../src/resilience/service-client.ts';
import { startTestService } from '../helpers.ts';
import { answer, startUpstream, type Upstream } from './upstreams.ts';

// A real chassis service with a bug on one route and an unreachable database on
// another, called through a real service client: the bug is a 500 that no breaker
// counts, the database a 503 that every breaker does.
let service: Service;
let url: string;
const http = createHttpClient();

before(async () => {
  const gone = await startUpstream();
  await gone.close();
  ({ service, url } = await startTestService((app) => {
    const pool = createPool({
      url: `postgres://nobody:secret@${new URL(gone.url).host}/nothing`,
      applicationName: 'test',
      log: createLogger({ service: 'test', instance: 'test-1', level: 'silent' }),
    });
    app.get('/bug', { config: { access: 'public' } }, async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'price')");
    });
    app.get('/stock', { config: { access: 'public' } }, async () => (await pool.query('SELECT 1')).rows);
  }));
});
after(async () => {
  await service.shutdown('test over');
  await http.close();
});

function client() {
  return createServiceClient({
    service: 'shop',
    discovery: staticDiscovery({ shop: [url] }),
    http,
    metrics: new Registry(),
    retry: { maxRetries: 0 },
    breaker: { minimumCalls: 5, windowSize: 5, openMs: 30_000 },
    ejection: { consecutiveFailures: 3 },
  });
}

describe('a service says which failures are its own', () => {
  test('a bug met by a request is a 500, and a flood of them leaves the callers’ circuit closed', async () => {
    const shop = client();
    for (let i = 0; i < 20; i++) {
      const response = await shop.request({ method: 'GET', path: '/bug' });
      assert.equal(response.statusCode, 500);
      await response.body.dump();
    }
    assert.equal(shop.state().breaker.state, 'closed');
    assert.equal(shop.state().instances[0]?.ejectedUntil, undefined);
  });

  test('its database unreachable is a 503 with Retry-After, which opens the callers’ circuit', async () => {
    const shop = client();
    const response = await shop.request({ method: 'GET', path: '/stock' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['retry-after'], '1');
    const problem = (await response.body.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'UNAVAILABLE');
    assert.doesNotMatch(problem.detail, /ECONNREFUSED|nobody|secret/);
    for (let i = 0; i < 4; i++) await (await shop.request({ method: 'GET', path: '/stock' })).body.dump();
    assert.equal(shop.state().breaker.state, 'open');
  });
});

describe('peer calls pass a failure on as what it was', () => {
  let peer: Upstream;
  let caller: Service;
  before(async () => {
    peer = await startUpstream();
    caller = await createService({ name: 'caller', logLevel: 'silent' });
  });
  after(async () => {
    await caller.shutdown('test over');
    await peer.close();
  });

  test('a peer’s 500 is a 500 here (not a 502 the next caller would count); a 503 is a 502', async () => {
    const peers = connectPeers(caller, loadConfig(Type.Object(discoveryConfig), {}), ['peer'], {
      discovery: staticDiscovery({ peer: [peer.url] }),
      tokens: { token: async () => 'token' },
      client: { retry: { maxRetries: 0 } },
    });
    for (const [status, passedOn, code] of [
      [500, 500, 'UPSTREAM_ERROR'],
      [503, 502, 'UPSTREAM_FAILED'],
    ] as const) {
      peer.behave(answer(status));
      const error = await peers
        .call('peer', { method: 'GET', path: '/x' })
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof ProblemError, String(error));
      assert.equal(error.status, passedOn);
      assert.equal(error.code, code);
    }
  });
});
