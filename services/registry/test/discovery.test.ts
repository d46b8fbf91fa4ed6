// The chassis's registry discovery driver against a real registry (the Consul driver
// is tested in packages/chassis/test/consul.test.ts, the static one beside it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Discovery,
  loadConfig,
  registryDiscovery,
  type Service,
  type ServiceInstance,
} from '@platform/chassis';
import { startTestIssuer, type TestIssuer } from '@platform/testkit';
import { RegistryConfig } from '../src/config.ts';
import { startRegistry } from '../src/service.ts';

const HEARTBEAT_MS = 200;
let issuer: TestIssuer;
let registry: Service;
let port: number;
const drivers: Discovery[] = [];

async function start(atPort = 0): Promise<Service> {
  return startRegistry(
    loadConfig(RegistryConfig, {
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      REGISTRY_TTL_MS: '1000',
      PORT: String(atPort),
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '200',
    }),
  );
}

function driver(atPort = port): Discovery {
  const discovery = registryDiscovery({
    registryUrl: `http://127.0.0.1:${atPort}`,
    tokens: { token: () => issuer.token(['service']) },
    heartbeatIntervalMs: HEARTBEAT_MS,
    watchWaitMs: 2_000,
  });
  drivers.push(discovery);
  return discovery;
}

const self = (id: string, instancePort: number): ServiceInstance => ({
  service: 'catalog',
  instanceId: id,
  url: `http://127.0.0.1:${instancePort}`,
  version: '1.0.0',
  zone: 'local',
  metadata: {},
});

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) assert.fail(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

before(async () => {
  issuer = await startTestIssuer();
  registry = await start();
  port = (registry.app.server.address() as { port: number }).port;
});
after(async () => {
  await Promise.all(drivers.map((discovery) => discovery.close()));
  await registry.shutdown('test over');
  await issuer.close();
});

describe('registry discovery driver', () => {
  test('a watcher of a registry that has seen no change yet waits instead of asking in a loop', async () => {
    const empty = await start();
    let requests = 0;
    empty.app.server.on('request', () => {
      requests += 1;
    });
    const watcher = driver((empty.app.server.address() as { port: number }).port);
    assert.deepEqual(await watcher.instances('catalog'), []);
    await sleep(500);
    await watcher.close();
    await empty.shutdown('test over');
    assert.ok(requests <= 3, `${requests} requests in 500 ms`);
  });

  test('a watcher learns of a new instance without polling for it', async () => {
    const watcher = driver();
    assert.deepEqual(await watcher.instances('catalog'), []);
    const seen: string[][] = [];
    watcher.watch('catalog', (instances) => seen.push(instances.map((instance) => instance.instanceId)));
    await driver().register(self('catalog-a', 5001));
    await until(() => seen.some((ids) => ids.includes('catalog-a')), 1_000);
    assert.deepEqual(
      (await watcher.instances('catalog')).map((instance) => instance.url),
      ['http://127.0.0.1:5001'],
    );
  });

  test('an instance that dies without a word leaves within the TTL; one that deregisters leaves at once', async () => {
    const watcher = driver();
    const dying = driver();
    await dying.register(self('catalog-b', 5002));
    await until(
      async () => (await watcher.instances('catalog')).some((i) => i.instanceId === 'catalog-b'),
      1_000,
    );
    await dying.close(); // heartbeats stop, as with kill -9
    const gone = await until(
      async () => !(await watcher.instances('catalog')).some((i) => i.instanceId === 'catalog-b'),
      3_000,
    );
    assert.ok(gone >= 500, `left after ${gone} ms: not before its TTL ran out`);

    const leaving = driver();
    await leaving.register(self('catalog-c', 5003));
    await until(
      async () => (await watcher.instances('catalog')).some((i) => i.instanceId === 'catalog-c'),
      1_000,
    );
    await leaving.deregister();
    await until(
      async () => !(await watcher.instances('catalog')).some((i) => i.instanceId === 'catalog-c'),
      500,
    );
  });

  test('after a registry restart, every instance is listed again by its own heartbeat', async () => {
    const instances = ['catalog-r1', 'catalog-r2', 'catalog-r3'];
    for (const [n, id] of instances.entries()) await driver().register(self(id, 5100 + n));
    await registry.shutdown('restart');
    registry = await start(port);
    const reader = driver();
    // Nothing here registers them again: only their heartbeats can. The bound is
    // generous (the next heartbeat does it; a busy machine may delay a few), so that
    // what is tested is that they come back by themselves, not how fast a CPU is.
    await until(async () => {
      const listed = (await reader.instances('catalog')).map((instance) => instance.instanceId);
      return instances.every((id) => listed.includes(id));
    }, 20 * HEARTBEAT_MS);
  });
});
