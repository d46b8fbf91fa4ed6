// The consul discovery driver against a real Consul agent: the one at
// CONSUL_HTTP_ADDR (or 127.0.0.1:8500), else a dev agent started from a `consul`
// binary on PATH. Debian bookworm has no `consul` package and npm ships no binary,
// so on this project's CI machine neither exists: the test says so and skips.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@platform/testkit';
import { consulDiscovery } from '../src/index.ts';

async function reachable(address: string): Promise<boolean> {
  try {
    const response = await fetch(`${address}/v1/status/leader`, { signal: AbortSignal.timeout(1_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function findAgent(): Promise<{ address: string; child?: ChildProcess } | { reason: string }> {
  const configured = process.env.CONSUL_HTTP_ADDR ?? 'http://127.0.0.1:8500';
  if (await reachable(configured)) return { address: configured };
  if (spawnSync('consul', ['version']).status !== 0) {
    return {
      reason: `no Consul agent at ${configured} and no consul binary on PATH (Debian bookworm has no consul package; npm has no binary)`,
    };
  }
  const http = await freePort();
  const child = spawn('consul', ['agent', '-dev', `-http-port=${http}`, '-dns-port=-1', '-grpc-port=-1'], {
    stdio: 'ignore',
  });
  const address = `http://127.0.0.1:${http}`;
  for (let i = 0; i < 100 && !(await reachable(address)); i++) await sleep(100);
  return { address, child };
}

test('consul driver: register with a TTL check, list passing instances, deregister', async (t) => {
  const agent = await findAgent();
  if ('reason' in agent) {
    console.log(`# consul driver test skipped: ${agent.reason}`);
    t.skip(agent.reason);
    return;
  }
  t.after(() => agent.child?.kill());
  const instance = consulDiscovery({ address: agent.address, heartbeatIntervalMs: 500 });
  const watcher = consulDiscovery({ address: agent.address });
  t.after(() => Promise.all([instance.close(), watcher.close()]));
  const id = `catalog-consul-${process.pid}`;
  await instance.register({
    service: 'catalog',
    instanceId: id,
    url: 'http://127.0.0.1:4999',
    version: '2.0.0',
    zone: 'eu',
    metadata: { canary: 'true' },
  });
  let found = (await watcher.instances('catalog')).find((entry) => entry.instanceId === id);
  for (let i = 0; i < 50 && !found; i++) {
    await sleep(100);
    found = (await watcher.instances('catalog')).find((entry) => entry.instanceId === id);
  }
  assert.deepEqual(found, {
    service: 'catalog',
    instanceId: id,
    url: 'http://127.0.0.1:4999',
    version: '2.0.0',
    zone: 'eu',
    metadata: { canary: 'true' },
  });
  await instance.deregister();
  for (let i = 0; i < 50 && found; i++) {
    await sleep(100);
    found = (await watcher.instances('catalog')).find((entry) => entry.instanceId === id);
  }
  assert.equal(found, undefined, 'deregistered instances leave the passing list');
});
