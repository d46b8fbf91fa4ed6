import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import {
  type BusDriver,
  currentCorrelationId,
  defineProblem,
  runWithCorrelationId,
  startTelemetry,
} from '../../src/index.ts';
import { batchingConformance } from './batching-conformance.ts';
import { BusHarness, eventually, testSchemas } from './harness.ts';
import { type FaultyDriverFactory, stormConformance } from './storm-conformance.ts';

const Unavailable = defineProblem({
  code: 'LEDGER_UNAVAILABLE',
  status: 503,
  title: 'The ledger is unavailable',
});

// Spans need a tracer provider for trace context to cross the bus.
startTelemetry({ service: 'conformance', sampleRatio: 1 });

/** The bus guarantees of docs/messaging.md, checked against one driver. */
export function busConformance(
  driverName: string,
  makeDriver: (name: string) => BusDriver,
  makeFaultyDriver: FaultyDriverFactory,
): void {
  describe(`bus conformance (${driverName})`, () => {
    const harness = new BusHarness(makeDriver);
    // Each test's instances hold connections (pools, listener, relay): release them
    // after every test, so the suite fits a server's default 100 connections.
    afterEach(() => harness.close());

    test(`${driverName} - every group gets every event (fan-out), each exactly once`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const seen: Record<string, string[]> = { billing: [], shipping: [] };
      for (const group of ['billing', 'shipping']) {
        const consumer = await harness.instance(group, await harness.database(group), schemas);
        await consumer.bus.subscribe(`${placed}-${group}`, [placed], async (event) => {
          seen[group]?.push((event.data as { orderId: string }).orderId);
        });
      }
      for (let i = 0; i < 5; i++) {
        await producer.bus.transaction((tx) =>
          tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } }),
        );
      }
      await eventually(
        'both groups saw all five',
        () => seen.billing?.length === 5 && seen.shipping?.length === 5,
      );
      await sleep(200);
      // Handled concurrently (8 at a time by default), so in any order.
      assert.deepEqual(seen.billing?.sort(), ['o0', 'o1', 'o2', 'o3', 'o4']);
      assert.deepEqual(seen.shipping?.sort(), ['o0', 'o1', 'o2', 'o3', 'o4']);
    });

    test(`${driverName} - a transaction's statement to begin with runs inside it, before its work, and its events still go out`, async () => {
      const { placed, producer, seen } = await harness.producerAndConsumer();
      // A setting local to the transaction: seen by the work only if set in the same one.
      const inside = await producer.bus.transaction(
        async (tx) => {
          const { rows } = await tx.query<{ value: string }>(
            `SELECT current_setting('shop.step', true) AS value`,
          );
          await tx.publish({ type: placed, data: { orderId: 'o1', amount: 1 } });
          return rows[0]?.value;
        },
        { beginWith: `SELECT set_config('shop.step', 'begun', true)` },
      );
      assert.equal(inside, 'begun');
      const after = await producer.bus.transaction((tx) =>
        tx.query<{ value: string | null }>(`SELECT current_setting('shop.step', true) AS value`),
      );
      assert.ok(!after.rows[0]?.value, 'it ended with its transaction');
      await eventually('the event went out', () => seen.includes('o1'));
    });

    test(`${driverName} - one instance at concurrency 1 handles a type in publish order`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      const seen: string[] = [];
      await consumer.bus.subscribe(
        `${placed}-billing`,
        [placed],
        async (event) => {
          seen.push((event.data as { orderId: string }).orderId);
        },
        { concurrency: 1 },
      );
      const expected = Array.from({ length: 20 }, (_, i) => `o${i}`);
      for (const orderId of expected.slice(0, 10)) {
        await producer.bus.transaction((tx) => tx.publish({ type: placed, data: { orderId, amount: 1 } }));
      }
      await producer.bus.transaction(async (tx) => {
        for (const orderId of expected.slice(10))
          await tx.publish({ type: placed, data: { orderId, amount: 1 } });
      });
      await eventually('all twenty', () => seen.length === 20);
      assert.deepEqual(seen, expected);
    });

    test(`${driverName} - instances of one group share the events, and none is handled twice`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const database = await harness.database('billing');
      const handledBy: Record<string, number> = { a: 0, b: 0 };
      const group = `${placed}-billing`;
      for (const name of ['a', 'b']) {
        const instance = await harness.instance(`billing-${name}`, database, schemas);
        await instance.bus.subscribe(
          group,
          [placed],
          async () => {
            handledBy[name] = (handledBy[name] ?? 0) + 1;
            await sleep(15);
          },
          { concurrency: 2 },
        );
      }
      await producer.bus.transaction(async (tx) => {
        for (let i = 0; i < 30; i++)
          await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
      });
      await eventually('30 handled', () => (handledBy.a ?? 0) + (handledBy.b ?? 0) >= 30);
      await sleep(200);
      assert.equal((handledBy.a ?? 0) + (handledBy.b ?? 0), 30);
      assert.ok(
        (handledBy.a ?? 0) > 0 && (handledBy.b ?? 0) > 0,
        `both instances worked: ${JSON.stringify(handledBy)}`,
      );
    });

    test(`${driverName} - /admin/outbox/messages lists what a service published about one subject, in order`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      await producer.bus.transaction(async (tx) => {
        await tx.publish({ type: placed, subject: 'order-7', data: { orderId: 'order-7', amount: 1 } });
        await tx.publish({ type: placed, subject: 'order-8', data: { orderId: 'order-8', amount: 2 } });
        await tx.publish({ type: placed, subject: 'order-7', data: { orderId: 'order-7', amount: 3 } });
      });
      const about = async (subject: string) =>
        (await producer.service.app.inject({ url: `/admin/outbox/messages?subject=${subject}` })).json()
          .data as Array<{ type: string; subject: string; sentAt: string | null }>;
      const seven = await eventually('published', async () => {
        const found = await about('order-7');
        return found.every((m) => m.sentAt !== null) ? found : undefined;
      });
      assert.deepEqual(
        seven.map((m) => [m.type, m.subject]),
        [
          [placed, 'order-7'],
          [placed, 'order-7'],
        ],
      );
      assert.deepEqual(await about('order-9'), []);
      assert.equal((await producer.service.app.inject({ url: '/admin/outbox/messages' })).statusCode, 400);
    });

    test(`${driverName} - /admin/consumers lists each group with its types and its lag, which falls to 0 once handled`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      await consumer.bus.subscribe(`${placed}-billing`, [placed], () => gate, { concurrency: 1 });
      await producer.bus.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
      });
      const groups = async () =>
        (await consumer.service.app.inject({ url: '/admin/consumers' })).json().groups as Array<{
          group: string;
          types: string[];
          pending: number;
        }>;
      let lagging = 0;
      await eventually('the group behind', async () => {
        const [group] = await groups();
        lagging = group?.pending ?? 0;
        return lagging >= 4;
      });
      assert.deepEqual(
        (await groups()).map(({ group, types }) => ({ group, types })),
        [{ group: `${placed}-billing`, types: [placed] }],
      );
      release();
      await eventually('caught up', async () => (await groups())[0]?.pending === 0);
    });

    test(`${driverName} - a failing handler is retried with backoff until it succeeds`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      const attempts: number[] = [];
      let applied = 0;
      await consumer.bus.subscribe(
        `${placed}-billing`,
        [placed],
        async (_event, { attempt, tx, afterCommit }) => {
          attempts.push(attempt);
          await tx.query('CREATE TABLE IF NOT EXISTS charges (n int)');
          await tx.query('INSERT INTO charges VALUES (1)');
          if (attempt < 3) throw new Error('card processor unavailable');
          // Counted once committed: read before, the table may not exist yet for others.
          afterCommit(() => {
            applied += 1;
          });
        },
      );
      await producer.bus.transaction((tx) =>
        tx.publish({ type: placed, data: { orderId: 'o1', amount: 5 } }),
      );
      await eventually('applied after retries', () => applied === 1);
      assert.deepEqual(attempts, [1, 2, 3]);
      const { rows } = await consumer.service.app
        .inject({ url: '/admin/dead-letters' })
        .then((r) => ({ rows: r.json().data }));
      assert.deepEqual(rows, []);
      const charges = await consumer.bus.transaction((tx) =>
        tx.query('SELECT count(*)::int AS n FROM charges'),
      );
      assert.equal(charges.rows[0].n, 1, 'the failed attempts wrote nothing');
    });

    test(`${driverName} - an event whose handler finds a dependency unavailable (503) waits for it, past the last attempt`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas, {
        maxAttempts: 2,
        baseDelayMs: 20,
        maxDelayMs: 50,
      });
      let attempts = 0;
      const applied: string[] = [];
      await consumer.bus.subscribe(`${placed}-billing`, [placed], async (event) => {
        attempts++;
        if (attempts <= 6) throw new Unavailable('the ledger is down', { headers: { 'retry-after': '0' } });
        applied.push(event.id);
      });
      await producer.bus.transaction((tx) =>
        tx.publish({ type: placed, data: { orderId: 'o7', amount: 1 } }),
      );
      await eventually('applied once the ledger is back', () => applied.length === 1);
      assert.ok(attempts > 2, `tried ${attempts} times, more than maxAttempts`);
      const letters = (await consumer.service.app.inject({ url: '/admin/dead-letters' })).json().data;
      assert.deepEqual(letters, [], 'an outage is not a poison message');
    });

    test(`${driverName} - a group's own retry policy overrides the bus's: more attempts before a dead letter`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas, {
        maxAttempts: 2,
        baseDelayMs: 20,
        maxDelayMs: 50,
      });
      const attempts: number[] = [];
      await consumer.bus.subscribe(
        `${placed}-billing`,
        [placed],
        async (_event, { attempt }) => {
          attempts.push(attempt);
          throw new Error('the order is not confirmed yet');
        },
        { retry: { maxAttempts: 5 } },
      );
      await producer.bus.transaction((tx) =>
        tx.publish({ type: placed, data: { orderId: 'o7', amount: 1 } }),
      );
      const letter = await eventually(
        'a dead letter',
        async () => (await consumer.service.app.inject({ url: '/admin/dead-letters' })).json().data[0],
      );
      assert.equal(letter.attempts, 5, "the group's five attempts, not the bus's two");
      assert.deepEqual(attempts, [1, 2, 3, 4, 5]);
    });

    test(`${driverName} - after the last attempt a message is a dead letter; replay applies it once`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas, {
        maxAttempts: 3,
        baseDelayMs: 20,
        maxDelayMs: 100,
      });
      let healthy = false;
      const applied: string[] = [];
      await consumer.bus.subscribe(`${placed}-billing`, [placed], async (event) => {
        if (!healthy) throw new Error('ledger is locked');
        applied.push(event.id);
      });
      await producer.bus.transaction((tx) =>
        tx.publish({ type: placed, data: { orderId: 'o9', amount: 1 } }),
      );
      const app = consumer.service.app;
      const letter = await eventually(
        'a dead letter',
        async () => (await app.inject({ url: '/admin/dead-letters' })).json().data[0],
      );
      assert.equal(letter.attempts, 3);
      assert.equal(letter.status, 'dead');
      assert.match(letter.reason, /ledger is locked/);
      assert.deepEqual(applied, []);

      const failed = await app.inject({ method: 'POST', url: `/admin/dead-letters/${letter.id}/replay` });
      assert.equal(failed.statusCode, 409, 'replay while still failing');
      healthy = true;
      const replayed = await app.inject({ method: 'POST', url: `/admin/dead-letters/${letter.id}/replay` });
      assert.equal(replayed.statusCode, 200);
      assert.equal(replayed.json().status, 'replayed');
      assert.equal(applied.length, 1);
      const again = await app.inject({ method: 'POST', url: `/admin/dead-letters/${letter.id}/replay` });
      assert.equal(again.statusCode, 409, 'a replayed letter cannot be replayed twice');
      await sleep(300);
      assert.equal(applied.length, 1, 'the bus does not deliver it again');

      const metrics = await consumer.service.metrics.metrics();
      const count = (name: string) =>
        Number(new RegExp(`^${name}\\{[^}]*type="${placed}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
      assert.equal(count('bus_events_delivered_total'), 3);
      assert.equal(count('bus_events_retried_total'), 2);
      assert.equal(count('bus_events_dead_lettered_total'), 1);
      // NATS settles a term() asynchronously: the lag reaches 0 a moment later.
      await eventually('no lag left for the group', async () =>
        /^bus_consumer_lag\{[^}]*group="[^"]+"[^}]*\} 0$/m.test(await consumer.service.metrics.metrics()),
      );
      const produced = await producer.service.metrics.metrics();
      assert.match(
        produced,
        new RegExp(`^bus_events_published_total\\{[^}]*type="${placed}"[^}]*\\} 1$`, 'm'),
      );
      assert.match(produced, /^bus_outbox_backlog\{[^}]*\} 0$/m);
    });

    test(`${driverName} - a message that breaks its contract goes straight to dead letters`, async () => {
      const { placed, schemas } = testSchemas();
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      let calls = 0;
      await consumer.bus.subscribe(`${placed}-billing`, [placed], async () => {
        calls += 1;
      });
      const broken = {
        specversion: '1.0',
        id: `bad-${Date.now()}`,
        source: 'rogue',
        type: placed,
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data: { orderId: 42 },
      } as const;
      const publisher = harness.makeDriver('rogue');
      await publisher.start();
      await publisher.publish([broken as never]);
      await publisher.close();
      const letter = await eventually(
        'a dead letter',
        async () => (await consumer.service.app.inject({ url: '/admin/dead-letters' })).json().data[0],
      );
      assert.equal(letter.attempts, 1, 'no retries for a broken contract');
      assert.match(letter.reason, /contract/);
      assert.equal(calls, 0);
    });

    test(`${driverName} - the trace and the correlation id continue in the consumer`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      const observed: Array<{ traceId?: string; correlationId?: string }> = [];
      await consumer.bus.subscribe(`${placed}-billing`, [placed], async () => {
        observed.push({
          traceId: trace.getActiveSpan()?.spanContext().traceId,
          correlationId: currentCorrelationId(),
        });
      });
      const tracer = trace.getTracer('test');
      const traceId = await tracer.startActiveSpan('checkout', async (span) => {
        await runWithCorrelationId('checkout-77', () =>
          producer.bus.transaction((tx) => tx.publish({ type: placed, data: { orderId: 'o1', amount: 1 } })),
        );
        span.end();
        return span.spanContext().traceId;
      });
      await eventually('handled', () => observed.length === 1);
      assert.deepEqual(observed, [{ traceId, correlationId: 'checkout-77' }]);
    });

    test(`${driverName} - afterCommit callbacks run once the handler's transaction committed, not on failure`, async () => {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      const notified: Array<{ attempt: number; committed: boolean }> = [];
      await consumer.bus.subscribe(
        `${placed}-billing`,
        [placed],
        async (_event, { tx, attempt, afterCommit }) => {
          await tx.query('CREATE TABLE IF NOT EXISTS receipts (n int)');
          await tx.query('INSERT INTO receipts VALUES ($1)', [attempt]);
          afterCommit(async () => {
            const { rows } = await consumer.bus.transaction((read) =>
              read.query('SELECT count(*)::int AS n FROM receipts'),
            );
            notified.push({ attempt, committed: rows[0].n === 1 });
          });
          if (attempt === 1) throw new Error('first attempt fails');
        },
      );
      await producer.bus.transaction((tx) =>
        tx.publish({ type: placed, data: { orderId: 'o1', amount: 1 } }),
      );
      await eventually('notified', () => notified.length === 1);
      await sleep(200);
      assert.deepEqual(notified, [{ attempt: 2, committed: true }]);
    });

    test(`${driverName} - a command is answered with a reply carrying its correlation, subject and cause`, async () => {
      const { placed, shipped, schemas } = testSchemas();
      const orders = await harness.instance('orders', await harness.database('orders'), schemas);
      const shipping = await harness.instance('shipping', await harness.database('shipping'), schemas);
      // The participant handles the command and answers in the same transaction.
      await shipping.bus.subscribe(`${placed}-shipping`, [placed], async (command, { tx }) => {
        const { orderId, amount } = command.data as { orderId: string; amount: number };
        await tx.reply(command, { type: shipped, data: { orderId, amount } });
      });
      const replies: Array<{
        causationid?: string;
        correlationid?: string;
        subject?: string;
        source: string;
      }> = [];
      await orders.bus.subscribe(`${shipped}-orders`, [shipped], async (reply) => {
        replies.push(reply);
      });
      const command = await runWithCorrelationId('order-5', () =>
        orders.bus.transaction((tx) =>
          tx.send({
            type: placed,
            subject: 'order-5',
            replyTo: 'orders',
            data: { orderId: 'order-5', amount: 3 },
          }),
        ),
      );
      assert.equal(command.replyto, 'orders');
      await eventually('the reply', () => replies.length === 1);
      assert.deepEqual(
        {
          causationid: replies[0]?.causationid,
          correlationid: replies[0]?.correlationid,
          subject: replies[0]?.subject,
          source: replies[0]?.source,
        },
        { causationid: command.id, correlationid: 'order-5', subject: 'order-5', source: 'shipping' },
      );
    });

    test(`${driverName} - two instances of a producer relay each event once`, async () => {
      const { placed, schemas } = testSchemas();
      const database = await harness.database('producer');
      const first = await harness.instance('shop', database, schemas);
      const second = await harness.instance('shop', database, schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      let handled = 0;
      await consumer.bus.subscribe(`${placed}-billing`, [placed], async () => {
        handled += 1;
      });
      for (let i = 0; i < 10; i++) {
        const producer = i % 2 === 0 ? first : second;
        await producer.bus.transaction((tx) =>
          tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } }),
        );
      }
      await eventually('ten handled', () => handled === 10);
      const published = async (instance: typeof first) =>
        Number(
          new RegExp(`^bus_events_published_total\\{[^}]*type="${placed}"[^}]*\\} (\\d+)$`, 'm').exec(
            await instance.service.metrics.metrics(),
          )?.[1] ?? 0,
        );
      assert.equal((await published(first)) + (await published(second)), 10, 'one relay sent each row, once');
    });

    test(`${driverName} - a rolled-back transaction publishes nothing`, async () => {
      const { placed, shipped, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      const seen: string[] = [];
      await consumer.bus.subscribe(`${placed}-billing`, [placed, shipped], async (event) => {
        seen.push((event.data as { orderId: string }).orderId);
      });
      await assert.rejects(
        producer.bus.transaction(async (tx) => {
          await tx.publish({ type: placed, data: { orderId: 'ghost', amount: 1 } });
          throw new Error('payment step failed');
        }),
        /payment step failed/,
      );
      await assert.rejects(
        producer.bus.transaction((tx) =>
          tx.publish({ type: placed, data: { orderId: 'bad', amount: -1 } as never }),
        ),
        /contract/,
      );
      await producer.bus.transaction((tx) =>
        tx.publish({ type: shipped, data: { orderId: 'marker', amount: 0 } }),
      );
      await eventually('the marker arrives', () => seen.includes('marker'));
      await sleep(200);
      assert.deepEqual(seen, ['marker']);
    });

    test(`${driverName} - history visits every retained event of the asked types, in publish order, as often as asked`, async () => {
      const { placed, shipped, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const published: string[] = [];
      await producer.bus.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) {
          await tx.publish({ type: placed, data: { orderId: `p${i}`, amount: i } });
          await tx.publish({ type: shipped, data: { orderId: `s${i}`, amount: i } });
          published.push(`p${i}`, `s${i}`);
        }
      });
      for (let i = 3; i < 6; i++) {
        await producer.bus.transaction((tx) =>
          tx.publish({ type: placed, data: { orderId: `p${i}`, amount: i } }),
        );
        published.push(`p${i}`);
      }
      // A live group that has seen everything: the relay has put it all on the bus.
      const live: string[] = [];
      await producer.bus.subscribe(`${placed}-live`, [placed, shipped], async (event) => {
        live.push((event.data as { orderId: string }).orderId);
      });
      await eventually('all nine on the bus', () => live.length === 9);

      const replayer = await harness.instance('reports', await harness.database('reports'), schemas);
      const read = async (types: string[]) => {
        const seen: string[] = [];
        const count = await replayer.bus.history(types, async (event) => {
          seen.push((event.data as { orderId: string }).orderId);
        });
        assert.equal(count, seen.length);
        return seen;
      };
      assert.deepEqual(await read([placed, shipped]), published);
      assert.deepEqual(await read([shipped]), ['s0', 's1', 's2']);
      assert.deepEqual(await read([placed, shipped]), published, 'reading settles nothing: the same again');
      assert.equal(live.length, 9, 'the live group got nothing twice');
    });

    batchingConformance(driverName, harness);
    stormConformance(driverName, makeFaultyDriver);
  });
}
