import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, statementsDuring, type TestDatabase } from '@platform/testkit';
import pg from 'pg';
import { type BusDriver, createEnvelope, createLogger, createPostgresDriver } from '../../src/index.ts';
import { ACK_DELAY_MS } from '../../src/messaging/postgres-consumer.ts';
import { eventually } from './harness.ts';

// The embedded driver settles a handled delivery by deleting its row: with the group's
// next claim, in the same statement, when the group is woken again within ACK_DELAY_MS
// (or busy); on its own when no claim comes by then, and before the consumer stops.
// Either way a handled delivery is never handed out again, even after its lease has
// ended. Checked at the driver, beneath the inbox that would hide a second delivery
// from a handler.
let busDatabase: TestDatabase;
let driver: BusDriver;
const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
const LEASE_MS = 1_000;

before(async () => {
  busDatabase = await createTestDatabase('bus');
  driver = createPostgresDriver({ url: busDatabase.url, log, leaseMs: LEASE_MS });
  await driver.start();
});
after(async () => {
  await driver.close();
  await busDatabase.drop();
});

async function deliveriesLeft(group: string): Promise<number> {
  const client = new pg.Client({ connectionString: busDatabase.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM bus_deliveries WHERE group_name = $1',
      [group],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

const envelopes = (type: string, count: number, from: number) =>
  Array.from({ length: count }, (_, i) => createEnvelope('test', { type, data: { n: from + i } }));

describe('embedded bus driver: settling handled deliveries', () => {
  test('a busy group has every delivery once, none again after its lease ends, and nothing left', async () => {
    const type = `settle.busy.${Date.now()}`;
    const handed = new Map<number, number>();
    const subscription = await driver.subscribe(
      'settle-busy',
      [type],
      async (delivery) => {
        const n = (delivery.body as { data: { n: number } }).data.n;
        handed.set(n, (handed.get(n) ?? 0) + 1);
        await sleep(2); // a handler's work, so that publishes land while the group is busy
        await delivery.ack();
      },
      { concurrency: 4 },
    );
    try {
      // A group's first subscription copies the type's history twice, the second time a
      // second later (postgres-driver.ts): a message published within that second may
      // come twice by design (the inbox drops the second), so the stream starts after it.
      await sleep(1_500);
      // Published in small batches while the group works through the earlier ones.
      for (let batch = 0; batch < 30; batch++) {
        await driver.publish(envelopes(type, 5, batch * 5));
        await sleep(5);
      }
      await eventually('every delivery handed over', () => handed.size === 150, 20_000);
      await sleep(LEASE_MS * 2.5);
      const twice = [...handed].filter(([, times]) => times > 1).map(([n]) => n);
      assert.deepEqual(twice, [], 'no delivery handed over a second time');
      assert.equal(await subscription.pending(), 0);
      assert.equal(await deliveriesLeft('settle-busy'), 0);
    } finally {
      await subscription.stop();
    }
  });

  test('a group woken again soon deletes what it handled with that claim; a lone delivery is deleted on its own', async () => {
    const type = `settle.soon.${Date.now()}`;
    let handled = 0;
    const subscription = await driver.subscribe(
      'settle-soon',
      [type],
      async (delivery) => {
        handled += 1;
        await delivery.ack();
      },
      { concurrency: 4 },
    );
    try {
      await sleep(1_500); // past the first subscription's second history copy
      const sent = await statementsDuring(async () => {
        // Each published while the group sleeps after the last, well within the delay.
        for (let n = 0; n < 5; n++) {
          await driver.publish(envelopes(type, 1, n));
          await eventually('handled', () => handled === n + 1);
          await sleep(ACK_DELAY_MS / 5);
        }
      });
      const deletes = sent.filter(({ text }) => text.startsWith('DELETE FROM bus_deliveries'));
      assert.equal(deletes.length, 0, 'each handled row went with the next claim');
      // The last one has no claim after it: it is deleted on its own once the delay is over.
      await eventually(
        'the last handled row deleted',
        async () => (await deliveriesLeft('settle-soon')) === 0,
      );
      assert.equal(await subscription.pending(), 0);
    } finally {
      await subscription.stop();
    }
  });

  test('deliveries handled just before the consumer stops are settled, not left to their lease', async () => {
    const type = `settle.stop.${Date.now()}`;
    let handled = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const subscription = await driver.subscribe(
      'settle-stop',
      [type],
      async (delivery) => {
        await delivery.ack();
        handled += 1;
        await gate; // still handling when the consumer is told to stop
      },
      { concurrency: 8 },
    );
    await driver.publish(envelopes(type, 8, 0));
    await eventually('handled', () => handled === 8);
    const stopped = subscription.stop();
    release();
    await stopped;
    assert.equal(await deliveriesLeft('settle-stop'), 0);
  });

  test('with concurrency 1 the group takes one at a time, in publish order', async () => {
    const type = `claim.ordered.${Date.now()}`;
    const handled: number[] = [];
    const subscription = await driver.subscribe(
      'claim-ordered',
      [type],
      async (delivery) => {
        await sleep(3);
        handled.push((delivery.body as { data: { n: number } }).data.n);
        await delivery.ack();
      },
      { concurrency: 1 },
    );
    try {
      await sleep(1_500); // past the first subscription's second history copy
      for (let batch = 0; batch < 10; batch++) {
        await driver.publish(envelopes(type, 3, batch * 3));
        await sleep(2);
      }
      await eventually('all handled', () => handled.length === 30, 5_000);
      assert.deepEqual(
        handled,
        Array.from({ length: 30 }, (_, i) => i),
      );
    } finally {
      await subscription.stop();
    }
  });
});
