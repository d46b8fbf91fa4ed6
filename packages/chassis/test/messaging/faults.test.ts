import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Delivery } from '../../src/messaging/driver.ts';
import { faultsFromConfig, stormDeliverer } from '../../src/messaging/faults.ts';

interface Settled {
  acks: number;
  retries: number;
  drops: number;
}

/** A delivery as a driver makes it, counting how it was settled. */
function delivery(attempt: number, settled: Settled): Delivery {
  return {
    body: { id: 'e1', type: 'shop.order.placed' },
    attempt,
    ack: async () => void settled.acks++,
    retry: async () => void settled.retries++,
    drop: async () => void settled.drops++,
  };
}

/** Math.random's stand-in: the given values in turn, then the last one again. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

test('faults - off unless configured: the driver hands over each delivery as it is', () => {
  const deliver = async () => {};
  assert.equal(stormDeliverer(deliver, undefined), deliver);
  assert.equal(stormDeliverer(deliver, { redeliver: 0, dropAckRate: 0 }), deliver);
  assert.equal(faultsFromConfig({ BUS_FAULT_REDELIVER: 0, BUS_FAULT_DROP_ACK_RATE: 0 }), undefined);
  assert.equal(faultsFromConfig({}), undefined);
  assert.deepEqual(faultsFromConfig({ BUS_FAULT_REDELIVER: 3, BUS_FAULT_DROP_ACK_RATE: 0.3 }), {
    redeliver: 3,
    dropAckRate: 0.3,
  });
});

test('faults - each delivery is handed over again 1 to N more times, the same message at the same attempt', async () => {
  for (const [draw, copies] of [
    [0, 1],
    [0.5, 2],
    [0.99, 3],
  ] as const) {
    const handed: Delivery[] = [];
    const deliver = stormDeliverer(
      async (d: Delivery) => void handed.push(d),
      { redeliver: 3, dropAckRate: 0 },
      () => draw,
    );
    const settled = { acks: 0, retries: 0, drops: 0 };
    const original = delivery(2, settled);
    await deliver(original);
    assert.equal(handed.length, 1 + copies, `draw ${draw}: ${copies} copies`);
    for (const copy of handed) {
      assert.equal(copy.body, original.body);
      assert.equal(copy.attempt, 2);
    }
  }
});

test('faults - one copy meets the original in flight, the others come once it is settled; copies settle nothing', async () => {
  const order: string[] = [];
  let finish: () => void = () => {};
  const settled = { acks: 0, retries: 0, drops: 0 };
  const original = delivery(1, settled);
  const deliver = stormDeliverer(
    async (d: Delivery) => {
      const which = d === original ? 'original' : 'copy';
      order.push(`${which} in`);
      if (which === 'original') await new Promise<void>((resolve) => (finish = resolve));
      await d.ack();
      await d.retry(10, 'again');
      await d.drop('dead');
      order.push(`${which} out`);
    },
    { redeliver: 3, dropAckRate: 0 },
    () => 0.99,
  );
  const done = deliver(original);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    order,
    ['original in', 'copy in', 'copy out'],
    'the first copy while the original is in flight',
  );
  finish();
  await done;
  assert.deepEqual(order.slice(3), ['original out', 'copy in', 'copy in', 'copy out', 'copy out']);
  assert.deepEqual(
    settled,
    { acks: 1, retries: 1, drops: 1 },
    "only the original's settlements reach the bus",
  );
});

test('faults - an ack is dropped only on a first delivery, at the given rate; retries and drops never', async () => {
  const faults = { redeliver: 0, dropAckRate: 0.3 };
  const settle = async (attempt: number, draw: number) => {
    const settled = { acks: 0, retries: 0, drops: 0 };
    await stormDeliverer(
      async (d: Delivery) => {
        await d.ack();
        await d.retry(10, 'again');
        await d.drop('dead');
      },
      faults,
      sequence(draw),
    )(delivery(attempt, settled));
    return settled;
  };
  assert.deepEqual(await settle(1, 0.29), { acks: 0, retries: 1, drops: 1 }, 'dropped: under the rate');
  assert.deepEqual(await settle(1, 0.3), { acks: 1, retries: 1, drops: 1 }, 'kept: at or over the rate');
  assert.deepEqual(await settle(2, 0), { acks: 1, retries: 1, drops: 1 }, 'a redelivery is always acked');
});
