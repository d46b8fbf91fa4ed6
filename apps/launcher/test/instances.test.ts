import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort, holdPort, isPortInUse } from '@platform/devinfra';
import { nextInstanceId, PortPlan, planAnother, planInstances } from '../src/instances.ts';
import { serviceNamed } from './service-definition.ts';

/** A port finder that answers `ports` in turn, as a host would where some are already planned. */
const answering = (...ports: number[]) => {
  let next = 0;
  return async () => ports[next++ % ports.length] ?? 0;
};

test('instances - the next id is the first number no running instance has', () => {
  assert.equal(nextInstanceId('catalog', []), 'catalog-1');
  assert.equal(nextInstanceId('catalog', ['catalog-1']), 'catalog-2');
  assert.equal(nextInstanceId('catalog', ['catalog-1', 'catalog-3']), 'catalog-2');
  assert.equal(nextInstanceId('cart', ['catalog-1', 'cart-1', 'cart-2']), 'cart-3');
});

test('instances - a port planned once is never planned again, until it is released', async () => {
  const ports = new PortPlan(answering(41_000, 41_000, 41_001, 41_000, 41_002, 41_003));
  assert.equal(await ports.take(), 41_000);
  assert.equal(await ports.take(), 41_001, 'a free port the plan already holds is passed over');
  ports.hold(41_002);
  assert.equal(await ports.take(), 41_003, 'nor one held for a service with a fixed port');
  await ports.release(41_000);
  assert.equal(await ports.take(), 41_000);
});

test('instances - a planned port is held, taken for every other picker, until its process is about to listen', async () => {
  const ports = new PortPlan(freePort, holdPort);
  const planned = await ports.take();
  assert.ok(await isPortInUse(planned), 'another platform or test finds it taken');
  await ports.open(planned);
  assert.ok(!(await isPortInUse(planned)), 'free for the process it was planned for');
  const dropped = await ports.take();
  await ports.release(dropped);
  assert.ok(!(await isPortInUse(dropped)), 'a released plan lets go of its port');
});

test('instances - a port another process took since it was found free is not planned', async () => {
  const other = createServer();
  const taken = await freePort();
  await new Promise<void>((resolve) => other.listen(taken, '127.0.0.1', resolve));
  try {
    const free = await freePort();
    const ports = new PortPlan(answering(taken, free), holdPort);
    assert.equal(await ports.take(), free, 'the port found free a moment ago, but taken, is passed over');
    await ports.open(free);
  } finally {
    other.close();
  }
});

test('instances - the start plans every instance the scale asks for, each on its own port', async () => {
  const catalog = serviceNamed('catalog');
  const gateway = serviceNamed('gateway');
  const planned = await planInstances(
    [catalog, gateway],
    { catalog: 2 },
    {
      ports: new PortPlan(answering(8080, 41_000, 41_000, 41_001)),
      fixedPort: (name) => (name === 'gateway' ? 8080 : 0),
    },
  );
  assert.deepEqual(
    planned.map(({ id, label, port, url }) => ({ id, label, port, url })),
    [
      { id: 'catalog-1', label: 'catalog-1', port: 41_000, url: 'http://127.0.0.1:41000' },
      { id: 'catalog-2', label: 'catalog-2', port: 41_001, url: 'http://127.0.0.1:41001' },
      { id: 'gateway-1', label: 'gateway', port: 8080, url: 'http://127.0.0.1:8080' },
    ],
  );
  assert.ok(planned.every((instance) => instance.definition.name === instance.id.replace(/-\d+$/, '')));
});

test('instances - one more instance gets the next id and a port no instance has', async () => {
  const catalog = serviceNamed('catalog');
  const ports = new PortPlan(answering(41_000, 41_001, 41_000, 41_001, 41_002));
  const running = await planInstances([catalog], { catalog: 2 }, { ports, fixedPort: () => 0 });
  const another = await planAnother(catalog, running, ports);
  assert.equal(another.id, 'catalog-3');
  assert.equal(another.label, 'catalog-3', 'a scaled service is labelled by instance');
  assert.equal(another.port, 41_002);
  const [first] = running;
  assert.ok(first);
  const afterScaleDown = await planAnother(catalog, [first], new PortPlan(answering(41_005)));
  assert.equal(afterScaleDown.id, 'catalog-2', 'the id of an instance stopped is used again');
});
