// Discovery pieces that need no registry: the static driver, choosing a driver from
// configuration, service tokens and the watch loop's pacing. The registry driver is
// tested against a real registry in services/registry/test/discovery.test.ts (the
// chassis must not depend on the registry).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceWatcher } from '../src/discovery/service-watcher.ts';
import {
  ConfigError,
  createDiscovery,
  discoveryConfig,
  loadConfig,
  serviceTokenSource,
  staticDiscovery,
  staticUrlsFromEnv,
  Type,
} from '../src/index.ts';

const DiscoverySchema = Type.Object(discoveryConfig);

describe('static discovery', () => {
  test('static discovery - <SERVICE>_URL variables, comma separated, are the instances', () => {
    const urls = staticUrlsFromEnv({
      CATALOG_URL: 'http://a:1, http://b:2',
      SHIPPING_QUOTES_URL: 'http://s:3',
      DATABASE_URL: 'postgres://x',
      IDENTITY_URL: '',
    });
    assert.deepEqual(urls, { catalog: ['http://a:1', 'http://b:2'], 'shipping-quotes': ['http://s:3'] });
  });

  test('static discovery - a fragment after a URL names its version, never sent', async () => {
    const discovery = staticDiscovery({ catalog: ['http://a:1', 'http://canary:2/#2.0.0'] });
    const [stable, canary] = await discovery.instances('catalog');
    assert.deepEqual([stable?.url, stable?.version], ['http://a:1', 'unknown']);
    assert.deepEqual([canary?.url, canary?.version], ['http://canary:2', '2.0.0']);
  });

  test('static discovery - instances are numbered, registering tells nobody', async () => {
    const discovery = staticDiscovery({ catalog: ['http://a:1/', 'http://b:2'] });
    await discovery.register({
      service: 'cart',
      instanceId: 'cart-1',
      url: 'http://c:3',
      version: '1',
      zone: 'z',
      metadata: {},
    });
    assert.deepEqual(await discovery.instances('catalog'), [
      {
        service: 'catalog',
        instanceId: 'catalog-0',
        url: 'http://a:1',
        version: 'unknown',
        zone: 'default',
        metadata: {},
      },
      {
        service: 'catalog',
        instanceId: 'catalog-1',
        url: 'http://b:2',
        version: 'unknown',
        zone: 'default',
        metadata: {},
      },
    ]);
    assert.deepEqual(await discovery.instances('cart'), []);
  });
});

describe('createDiscovery', () => {
  test('createDiscovery - the configuration names the driver; static is the default', async () => {
    const config = loadConfig(DiscoverySchema, {});
    assert.equal(config.DISCOVERY, 'static');
    assert.equal(config.HEARTBEAT_INTERVAL_MS, 3_000);
    const discovery = createDiscovery(config, { env: { CATALOG_URL: 'http://a:1' } });
    assert.equal(discovery.driver, 'static');
    assert.equal((await discovery.instances('catalog'))[0]?.url, 'http://a:1');
    const consul = createDiscovery(loadConfig(DiscoverySchema, { DISCOVERY: 'consul' }));
    assert.equal(consul.driver, 'consul');
    await consul.close();
  });

  test('createDiscovery - the registry driver without identity credentials is a configuration error', () => {
    const config = loadConfig(DiscoverySchema, { DISCOVERY: 'registry', REGISTRY_URL: 'http://r:1' });
    assert.throws(
      () => createDiscovery(config),
      (error: unknown) => error instanceof ConfigError && /SERVICE_CLIENT_ID/.test(error.message),
    );
  });
});

describe('service tokens', () => {
  function fakeIdentity(expiresIn: number) {
    const bodies: unknown[] = [];
    const fetchToken: typeof fetch = async (_url, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      await sleep(20);
      return Response.json({
        access_token: `token-${bodies.length}`,
        token_type: 'Bearer',
        expires_in: expiresIn,
      });
    };
    return { bodies, fetch: fetchToken };
  }

  test('service tokens - concurrent callers share one request, and the token is reused', async () => {
    const identity = fakeIdentity(900);
    const tokens = serviceTokenSource({
      tokenUrl: 'http://identity/api/v1/auth/token',
      clientId: 'catalog',
      clientSecret: 's3cret',
      fetch: identity.fetch,
    });
    const first = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    assert.deepEqual(first, ['token-1', 'token-1', 'token-1']);
    assert.equal(await tokens.token(), 'token-1');
    assert.deepEqual(identity.bodies, [
      { grant_type: 'client_credentials', client_id: 'catalog', client_secret: 's3cret' },
    ]);
  });

  test('service tokens - a token near its expiry is renewed', async () => {
    const identity = fakeIdentity(30); // within the 30 s margin: reused for half its life only
    const tokens = serviceTokenSource({
      tokenUrl: 'http://i',
      clientId: 'c',
      clientSecret: 's',
      fetch: identity.fetch,
    });
    assert.equal(await tokens.token(), 'token-1');
    assert.equal(await tokens.token(), 'token-1');
    const expiring = serviceTokenSource({
      tokenUrl: 'http://i',
      clientId: 'c',
      clientSecret: 's',
      marginSeconds: 30,
      fetch: fakeIdentity(0).fetch,
    });
    assert.equal(await expiring.token(), 'token-1');
    assert.equal(await expiring.token(), 'token-2');
  });

  test('service tokens - a refusal rejects and the next call asks again', async () => {
    let calls = 0;
    const refusing: typeof fetch = async () => {
      calls += 1;
      return new Response('no', { status: 401 });
    };
    const tokens = serviceTokenSource({
      tokenUrl: 'http://i',
      clientId: 'c',
      clientSecret: 'x',
      fetch: refusing,
    });
    await assert.rejects(tokens.token(), /refused a service token for c: 401/);
    await assert.rejects(tokens.token());
    assert.equal(calls, 2);
  });
});

describe('watch loop', () => {
  test('watch loop - a server that answers at once without a new index is not asked in a loop', async () => {
    const asked: Array<number | undefined> = [];
    const watcher = new ServiceWatcher(async (_service, index) => {
      asked.push(index);
      return { instances: [], index: 7 };
    });
    await watcher.instances('catalog');
    await sleep(600);
    watcher.close();
    assert.equal(asked[0], undefined, 'the first question waits for nothing');
    assert.ok(asked.slice(1).every((index) => index === 7));
    assert.ok(asked.length <= 5, `asked ${asked.length} times in 600 ms`);
  });

  test('watch loop - an error keeps the last list, backs off, and asks afresh', async () => {
    const asked: Array<number | undefined> = [];
    const instance = {
      service: 's',
      instanceId: 's-1',
      url: 'http://a:1',
      version: '1',
      zone: 'z',
      metadata: {},
    };
    const watcher = new ServiceWatcher(async (_service, index, signal) => {
      asked.push(index);
      if (asked.length === 1) return { instances: [instance], index: 3 };
      if (asked.length === 2) throw new Error('registry away');
      await sleep(10_000, undefined, { signal });
      return { instances: [], index: 4 };
    });
    assert.deepEqual(await watcher.instances('s'), [instance]);
    await sleep(700);
    assert.deepEqual(await watcher.instances('s'), [instance], 'the last known list stays');
    watcher.close();
    assert.deepEqual(asked, [undefined, 3, undefined]);
  });
});
