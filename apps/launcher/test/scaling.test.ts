import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../src/instances.ts';
import { type ScalableFleet, Scaler } from '../src/scaling.ts';
import type { ServiceDefinition } from '../src/services.ts';
import { serviceNamed } from './service-definition.ts';

const services = ['identity', 'registry', 'catalog', 'gateway', 'console'].map(serviceNamed);

/** The instances of a platform in memory; `add` waits for `ready` (an instance becoming ready). */
function fleetOf(counts: Record<string, number>) {
  const running: Instance[] = [];
  const instanceOf = (service: ServiceDefinition, n: number): Instance => ({
    definition: service,
    id: `${service.name}-${n}`,
    label: `${service.name}-${n}`,
    port: 40_000 + running.length,
    url: 'http://127.0.0.1',
  });
  for (const service of services)
    for (let n = 1; n <= (counts[service.name] ?? 1); n++) running.push(instanceOf(service, n));
  let ready: Promise<void> = Promise.resolve();
  const fleet: ScalableFleet = {
    instancesOf: (service) => running.filter((i) => i.definition.name === service),
    async add(service) {
      const instance = instanceOf(service, fleet.instancesOf(service.name).length + 1);
      await ready;
      running.push(instance);
      return { instance, readyMs: 1_234 };
    },
    async remove(instance) {
      running.splice(running.indexOf(instance), 1);
    },
  };
  return { fleet, running, delay: (until: Promise<void>) => (ready = until) };
}

function scalerOf(fleet: ScalableFleet, notNow: () => string | undefined = () => undefined) {
  const said: string[] = [];
  return { scaler: new Scaler({ services, fleet, say: (line) => said.push(line), notNow }), said };
}

test('scaling - up starts the next instance and says so; down stops the newest', async () => {
  const { fleet, running } = fleetOf({ catalog: 1 });
  const { scaler, said } = scalerOf(fleet);
  const up = await scaler.answer({ type: 'scale', id: 'r1', service: 'catalog', change: 1 });
  assert.deepEqual(up, {
    type: 'scale-reply',
    id: 'r1',
    ok: true,
    service: 'catalog',
    instance: 'catalog-2',
    instances: 2,
    readyMs: 1_234,
  });
  const down = await scaler.answer({ type: 'scale', id: 'r2', service: 'catalog', change: -1 });
  assert.deepEqual(down, {
    type: 'scale-reply',
    id: 'r2',
    ok: true,
    service: 'catalog',
    instance: 'catalog-2',
    instances: 1,
  });
  assert.deepEqual(
    running.filter((i) => i.definition.name === 'catalog').map((i) => i.id),
    ['catalog-1'],
  );
  assert.deepEqual(said, ['  ↑ catalog-2 started (ready in 1.2 s)', '  ↓ catalog-2 stopped']);
});

test('scaling - a second change of a service still being scaled is refused; another service is not held up', async () => {
  const { fleet, delay } = fleetOf({ catalog: 1 });
  const { scaler } = scalerOf(fleet);
  let ready = () => {};
  delay(new Promise<void>((resolve) => (ready = resolve)));
  const first = scaler.answer({ type: 'scale', id: 'a', service: 'catalog', change: 1 });
  const second = await scaler.answer({ type: 'scale', id: 'b', service: 'catalog', change: -1 });
  assert.deepEqual(second, {
    type: 'scale-reply',
    id: 'b',
    ok: false,
    reason: 'catalog is being scaled already; wait until that is done',
  });
  const identity = scaler.answer({ type: 'scale', id: 'c', service: 'identity', change: 1 });
  ready();
  assert.equal((await first)?.ok, true);
  assert.equal((await identity)?.ok, true);
  const third = await scaler.answer({ type: 'scale', id: 'd', service: 'catalog', change: -1 });
  assert.equal(third?.ok, true, 'once done, the service can be scaled again');
});

test('scaling - refusals: the rules, the platform not running, an instance that never got ready', async () => {
  const { fleet } = fleetOf({});
  const ask = async (scaler: Scaler, service: string, change: 1 | -1) => {
    const reply = await scaler.answer({ type: 'scale', id: 'x', service, change });
    return reply?.ok === false ? reply.reason : 'done';
  };
  const { scaler } = scalerOf(fleet);
  assert.match(await ask(scaler, 'gateway', 1), /gateway runs as one instance/);
  assert.match(await ask(scaler, 'console', 1), /console runs as one instance/);
  assert.match(await ask(scaler, 'catalog', -1), /fewer than 1 instance/);
  assert.match(await ask(scalerOf(fleet, () => 'the platform is stopping').scaler, 'catalog', 1), /stopping/);
  fleet.add = async () => {
    throw new Error('http://127.0.0.1:1 was not ready after 120 s');
  };
  assert.equal(
    await ask(scaler, 'catalog', 1),
    'catalog not scaled up: http://127.0.0.1:1 was not ready after 120 s',
  );
});

test('scaling - a message that is not a scale request is refused if it can be answered, else ignored', async () => {
  const { scaler } = scalerOf(fleetOf({}).fleet);
  assert.deepEqual(await scaler.answer({ type: 'scale', id: 'z', service: 'catalog', change: 2 }), {
    type: 'scale-reply',
    id: 'z',
    ok: false,
    reason: 'not a scale request: a service and a change of +1 or -1',
  });
  assert.equal(await scaler.answer('hello'), undefined);
});
