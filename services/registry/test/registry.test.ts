import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Service } from '@platform/chassis';
import { startTestIssuer, type TestIssuer, undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import { RegistryConfig } from '../src/config.ts';
import { startRegistry } from '../src/service.ts';

let issuer: TestIssuer;
let registry: Service;
let url: string;
let service: string;

before(async () => {
  issuer = await startTestIssuer();
  service = await issuer.token(['service']);
  registry = await startRegistry(
    loadConfig(RegistryConfig, {
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      REGISTRY_TTL_MS: '400',
      LOG_LEVEL: 'silent',
    }),
  );
  url = `http://127.0.0.1:${(registry.app.server.address() as { port: number }).port}`;
});
after(async () => {
  await registry.shutdown('test over');
  await issuer.close();
});

function call(method: string, path: string, body?: unknown, token = service) {
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
}

const announce = (name: string, id: string, port = 4000) =>
  call('PUT', `/registry/services/${name}/instances/${id}`, {
    url: `http://127.0.0.1:${port}`,
    version: '1.2.0',
    zone: 'local',
    metadata: { canary: 'false' },
  });

async function listed(name: string): Promise<string[]> {
  const body = (await (await call('GET', `/registry/services/${name}`)).json()) as {
    instances: Array<{ instanceId: string }>;
  };
  return body.instances.map((instance) => instance.instanceId);
}

describe('registry', () => {
  test('only services may register or read; others get 401 or 403 problems', async () => {
    const anonymous = await fetch(`${url}/registry/services`);
    assert.equal(anonymous.status, 401);
    const customer = await call('GET', '/registry/services', undefined, await issuer.token(['customer']));
    assert.equal(customer.status, 403);
    assert.match(customer.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  test('register, heartbeat and list: the heartbeat is the registration, idempotent', async () => {
    const first = await announce('catalog', 'catalog-1', 4001);
    assert.equal(first.status, 200);
    const body = (await first.json()) as { instance: { url: string; version: string }; ttlSeconds: number };
    assert.equal(body.instance.url, 'http://127.0.0.1:4001');
    assert.equal(body.ttlSeconds, 0.4);
    const indexBefore = Number(
      (await call('GET', '/registry/services/catalog')).headers.get('x-registry-index'),
    );
    assert.equal((await announce('catalog', 'catalog-1', 4001)).status, 200);
    const again = await call('GET', '/registry/services/catalog');
    assert.equal(
      Number(again.headers.get('x-registry-index')),
      indexBefore,
      'a plain heartbeat is not a change',
    );
    assert.deepEqual(await listed('catalog'), ['catalog-1']);
    assert.deepEqual(await listed('nobody'), [], 'an unknown service has no instances, not a 404');
  });

  test('an instance that stops sending heartbeats is evicted after the TTL', async () => {
    await announce('shipping', 'shipping-1');
    assert.deepEqual(await listed('shipping'), ['shipping-1']);
    await sleep(800);
    assert.deepEqual(await listed('shipping'), []);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /registry_evictions_total\{registered_service="shipping"[^}]*\} 1/);
    assert.match(metrics, /registry_instances\{registered_service="shipping"[^}]*\} 0/);
    assert.match(metrics, /registry_registrations_total\{[^}]*\} [1-9]/);
  });

  test('deregister removes at once; an unknown instance is a 404 problem', async () => {
    await announce('cart', 'cart-1');
    assert.equal((await call('DELETE', '/registry/services/cart/instances/cart-1')).status, 204);
    assert.deepEqual(await listed('cart'), []);
    const missing = await call('DELETE', '/registry/services/cart/instances/cart-1');
    assert.equal(missing.status, 404);
  });

  test('bad announcements are refused with 400 problems', async () => {
    const notUrl = await call('PUT', '/registry/services/cart/instances/cart-9', { url: 'ftp://x' });
    assert.equal(notUrl.status, 400);
    const badName = await call('PUT', '/registry/services/Bad_Name/instances/x', { url: 'http://a:1' });
    assert.equal(badName.status, 400);
    const extra = await call('PUT', '/registry/services/cart/instances/cart-9', {
      url: 'http://a:1',
      role: 'x',
    });
    assert.equal(extra.status, 400);
    assert.match(extra.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  test('a long poll answers as soon as the service changes, and waits out otherwise', async () => {
    const current = await call('GET', '/registry/services/payment');
    const index = Number(current.headers.get('x-registry-index'));
    const started = performance.now();
    const waiting = call('GET', `/registry/services/payment?index=${index}&wait=5s`);
    await sleep(100);
    await announce('payment', 'payment-1');
    const changed = (await (await waiting).json()) as { instances: Array<{ instanceId: string }> };
    assert.deepEqual(
      changed.instances.map((instance) => instance.instanceId),
      ['payment-1'],
    );
    assert.ok(performance.now() - started < 4_000, 'answered on the change, not at the end of the wait');

    const now = Number((await call('GET', '/registry/services/nothing')).headers.get('x-registry-index'));
    const quiet = await call('GET', `/registry/services/nothing?index=${now}&wait=200`);
    assert.equal(quiet.status, 200);
    assert.deepEqual(((await quiet.json()) as { instances: unknown[] }).instances, []);
  });

  test('a long poll with an index from before a registry restart answers at once', async () => {
    const started = performance.now();
    const response = await call('GET', '/registry/services/catalog?index=999999&wait=5s');
    assert.equal(response.status, 200);
    assert.ok(performance.now() - started < 4_000);
  });

  test('watchers get a snapshot and then each change as server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/registry/watch?service=inventory`, {
      headers: { authorization: `Bearer ${service}` },
      signal: controller.signal,
    });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body?.getReader();
    assert.ok(reader);
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
    };
    await readUntil(/event: snapshot/);
    await announce('inventory', 'inventory-1');
    await readUntil(/event: change[\s\S]*inventory-1/);
    assert.match(text, /event: change\nid: \d+\ndata: \{"index":\d+,"service":"inventory"/);
    controller.abort();
  });
});

test('registry - the OpenAPI document is valid and lists every answer above', async () => {
  await validateOpenApi(await (await fetch(`${url}/openapi.json`)).json());
  assert.deepEqual(await undocumentedAnswers(url), []);
});
