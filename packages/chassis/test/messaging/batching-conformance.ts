import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { type BusHarness, eventually, testSchemas } from './harness.ts';

/** Batched consumers (`maxBatch`): fewer commits, the same exactly-once and retries. */
export function batchingConformance(driverName: string, harness: BusHarness): void {
  /**
   * A producer, and a billing group subscribed with `options` that records each order's
   * charge with the id of the transaction it was applied in.
   */
  async function chargingGroup(options: { maxBatch: number; concurrency?: number; lingerMs?: number }) {
    const { placed, schemas } = testSchemas();
    const producer = await harness.instance('shop', await harness.database('producer'), schemas);
    const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
    await consumer.bus.transaction((tx) => tx.query('CREATE TABLE charges (order_id text, txid xid8)'));
    let seen = 0;
    await consumer.bus.subscribe(
      `${placed}-billing`,
      [placed],
      async (event, { tx, afterCommit }) => {
        const { orderId } = event.data as { orderId: string };
        await tx.query('INSERT INTO charges VALUES ($1, pg_current_xact_id())', [orderId]);
        afterCommit(() => {
          seen += 1;
        });
      },
      options,
    );
    /** Charges, distinct orders and distinct transactions recorded so far. */
    const charges = async () => {
      const { rows } = await consumer.bus.transaction((tx) =>
        tx.query<{ charges: number; orders: number; transactions: number }>(
          `SELECT count(*)::int AS charges, count(DISTINCT order_id)::int AS orders,
                  count(DISTINCT txid)::int AS transactions FROM charges`,
        ),
      );
      return rows[0] ?? { charges: 0, orders: 0, transactions: 0 };
    };
    return { placed, producer, seen: () => seen, charges };
  }

  test(`${driverName} - events that arrive together are applied in shared transactions, each exactly once`, async () => {
    // One batch at a time: the events that arrive while it runs wait, together, for the
    // next. (With several at once, NATS hands messages over as its client reads them,
    // and each could start a batch of its own: how many share one was left to timing.)
    const { placed, producer, seen, charges } = await chargingGroup({ maxBatch: 32, concurrency: 1 });
    const count = 60;
    await producer.bus.transaction(async (tx) => {
      for (let i = 0; i < count; i++)
        await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
    });
    await eventually('all sixty', () => seen() === count);
    await sleep(200);
    const charged = await charges();
    assert.equal(charged.charges, count, 'every event applied once');
    assert.equal(charged.orders, count);
    assert.ok(
      charged.transactions < count / 2,
      `events shared transactions: ${charged.transactions} commits for ${count} events`,
    );
    assert.equal(seen(), count, 'one afterCommit per event');
  });

  test(`${driverName} - a group that lingers gathers events published one at a time into shared transactions`, async () => {
    const { placed, producer, seen, charges } = await chargingGroup({ maxBatch: 32, lingerMs: 400 });
    // Ten orders, each in its own transaction, 30 ms apart: without lingering each
    // arrives alone and is applied alone, ten commits.
    const count = 10;
    for (let i = 0; i < count; i++) {
      await producer.bus.transaction((tx) =>
        tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } }),
      );
      await sleep(30);
    }
    await eventually('all ten', () => seen() === count);
    const charged = await charges();
    assert.equal(charged.charges, count, 'every event applied once');
    assert.ok(
      charged.transactions <= 3,
      `events published apart shared transactions: ${charged.transactions} commits for ${count} events`,
    );
  });

  test(`${driverName} - an event that fails inside a batch is retried alone; the others apply once`, async () => {
    const { placed, schemas } = testSchemas();
    const producer = await harness.instance('shop', await harness.database('producer'), schemas);
    const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
    await consumer.bus.transaction((tx) => tx.query('CREATE TABLE charges (order_id text)'));
    const attempts = new Map<string, number[]>();
    await consumer.bus.subscribe(
      `${placed}-billing`,
      [placed],
      async (event, { tx, attempt }) => {
        const { orderId } = event.data as { orderId: string };
        attempts.set(orderId, [...(attempts.get(orderId) ?? []), attempt]);
        await tx.query('INSERT INTO charges VALUES ($1)', [orderId]);
        if (orderId === 'o4' && attempt < 3) throw new Error('card processor unavailable');
      },
      { maxBatch: 32 },
    );
    await producer.bus.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
    });
    const charged = async () =>
      (
        await consumer.bus.transaction((tx) =>
          tx.query<{ order_id: string; n: number }>(
            'SELECT order_id, count(*)::int AS n FROM charges GROUP BY order_id ORDER BY order_id',
          ),
        )
      ).rows;
    await eventually('all ten charged', async () => (await charged()).length === 10);
    await sleep(300);
    assert.ok(
      (await charged()).every((row) => row.n === 1),
      'each charged once: the failed batch left nothing',
    );
    assert.deepEqual(attempts.get('o4')?.slice(-2), [2, 3], 'the failing event had its own attempts');
    const letters = (await consumer.service.app.inject({ url: '/admin/dead-letters' })).json().data;
    assert.deepEqual(letters, []);
  });

  test(`${driverName} - an instance never applies one subject in two transactions at once, and keeps each type's order`, async () => {
    const { placed, shipped, schemas } = testSchemas();
    const producer = await harness.instance('shop', await harness.database('producer'), schemas);
    const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
    const subjects = ['o1', 'o2', 'o3', 'o4', 'o5'];
    await consumer.bus.transaction(async (tx) => {
      await tx.query("CREATE TABLE orders (id text PRIMARY KEY, heard int[] NOT NULL DEFAULT '{}')");
      await tx.query('INSERT INTO orders (id) SELECT unnest($1::text[])', [subjects]);
    });
    let clashes = 0;
    await consumer.bus.subscribe(
      `${placed}-billing`,
      [placed, shipped],
      async (event, { tx }) => {
        const { orderId, amount } = event.data as { orderId: string; amount: number };
        // A handler that locks its order's row, as the order and shipping services do:
        // NOWAIT makes a second transaction on the same order fail at once, not wait.
        await tx.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE NOWAIT', [orderId]).catch((error) => {
          clashes += 1;
          throw error;
        });
        await tx.query('UPDATE orders SET heard = array_append(heard, $2::int) WHERE id = $1', [
          orderId,
          amount,
        ]);
        await sleep(2);
      },
      { maxBatch: 4, concurrency: 8 },
    );
    const rounds = 16;
    await producer.bus.transaction(async (tx) => {
      for (let i = 0; i < rounds; i++) {
        for (const orderId of subjects)
          await tx.publish({
            type: i % 2 ? shipped : placed,
            subject: orderId,
            data: { orderId, amount: i },
          });
      }
    });
    const heard = async () =>
      (await consumer.bus.transaction((tx) => tx.query<{ heard: number[] }>('SELECT heard FROM orders')))
        .rows;
    await eventually(
      'every event applied, or a clash',
      async () => clashes > 0 || (await heard()).every((row) => row.heard.length === rounds),
    );
    assert.equal(clashes, 0, 'no two transactions of this instance held one order at once');
    for (const { heard: amounts } of await heard()) {
      const ofType = (parity: number) => amounts.filter((amount) => amount % 2 === parity);
      assert.deepEqual(
        ofType(0),
        [...ofType(0)].sort((a, b) => a - b),
        'placed facts in publish order',
      );
      assert.deepEqual(
        ofType(1),
        [...ofType(1)].sort((a, b) => a - b),
        'shipped facts in publish order',
      );
    }
  });

  test(`${driverName} - a batch takes its locks first, in its own transaction, knowing every event in it`, async () => {
    const { placed, schemas } = testSchemas();
    const producer = await harness.instance('shop', await harness.database('producer'), schemas);
    const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
    const steps: Array<{ step: 'lock' | 'handle'; txid: string; orders: string[] }> = [];
    await consumer.bus.subscribe(
      `${placed}-billing`,
      [placed],
      async (event, { tx }) => {
        const { rows } = await tx.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id');
        steps.push({
          step: 'handle',
          txid: rows[0]?.id ?? '',
          orders: [(event.data as { orderId: string }).orderId],
        });
      },
      {
        maxBatch: 32,
        lockBatch: async (tx, events) => {
          const { rows } = await tx.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id');
          steps.push({
            step: 'lock',
            txid: rows[0]?.id ?? '',
            orders: events.map((event) => (event.data as { orderId: string }).orderId),
          });
        },
      },
    );
    const count = 40;
    await producer.bus.transaction(async (tx) => {
      for (let i = 0; i < count; i++)
        await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
    });
    await eventually('all forty handled', () => steps.filter((s) => s.step === 'handle').length === count);
    const locks = steps.filter((s) => s.step === 'lock');
    assert.ok(
      locks.length > 0 && locks.length < count,
      `batches took their locks: ${locks.length} for ${count}`,
    );
    for (const handled of steps.filter((s) => s.step === 'handle')) {
      const lock = locks.find((l) => l.txid === handled.txid);
      if (!lock) continue; // a lone delivery: its handler locks what it needs itself
      assert.ok(lock.orders.includes(handled.orders[0] ?? ''), 'the batch lock named the event');
      assert.ok(steps.indexOf(lock) < steps.indexOf(handled), 'locks first, then handlers');
    }
    const inBatches = steps.filter((s) => s.step === 'handle' && locks.some((l) => l.txid === s.txid));
    assert.ok(inBatches.length > count / 2, `most events came in batches: ${inBatches.length}`);
  });

  test(`${driverName} - a group's first statement rides with BEGIN in every transaction its deliveries run in, lone or batched, before its handlers`, async () => {
    const { placed, schemas } = testSchemas();
    const producer = await harness.instance('shop', await harness.database('producer'), schemas);
    const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
    await consumer.bus.transaction((tx) =>
      tx.query(
        'CREATE TABLE steps (seq bigserial, step text, txid xid8 DEFAULT pg_current_xact_id(), order_id text)',
      ),
    );
    let handled = 0;
    await consumer.bus.subscribe(
      `${placed}-billing`,
      [placed],
      async (event, { tx, afterCommit }) => {
        await tx.query(`INSERT INTO steps (step, order_id) VALUES ('handle', $1)`, [
          (event.data as { orderId: string }).orderId,
        ]);
        afterCommit(() => {
          handled += 1;
        });
      },
      {
        maxBatch: 32,
        beginWith: (events) =>
          `INSERT INTO steps (step, order_id) SELECT 'begin', unnest(ARRAY[${events
            .map((event) => `'${(event.data as { orderId: string }).orderId}'`)
            .join(', ')}]::text[])`,
      },
    );
    // A lone event first (nothing else arrives with it), then forty that arrive together.
    await producer.bus.transaction((tx) =>
      tx.publish({ type: placed, data: { orderId: 'lone', amount: 1 } }),
    );
    await eventually('the lone one handled', () => handled === 1);
    const count = 40;
    await producer.bus.transaction(async (tx) => {
      for (let i = 0; i < count; i++)
        await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
    });
    await eventually('all handled', () => handled === count + 1);
    const { rows } = await consumer.bus.transaction((tx) =>
      tx.query<{ seq: string; step: string; txid: string; order_id: string }>(
        // By the column, not the text it is selected as: '100' sorts before '98'.
        'SELECT seq::text, step, txid::text, order_id FROM steps ORDER BY steps.seq',
      ),
    );
    const handles = rows.filter((row) => row.step === 'handle');
    assert.equal(handles.length, count + 1, 'each event handled once');
    for (const handle of handles) {
      const first = rows.find((row) => row.txid === handle.txid);
      assert.equal(
        first?.step,
        'begin',
        `${handle.order_id}: its transaction began with the group's statement`,
      );
      assert.ok(
        rows.some(
          (row) => row.txid === handle.txid && row.step === 'begin' && row.order_id === handle.order_id,
        ),
        `${handle.order_id}: the statement named its event`,
      );
    }
    const transactions = new Set(handles.map((row) => row.txid));
    assert.ok(transactions.size < count, `the forty shared transactions: ${transactions.size}`);
  });

  test(`${driverName} - a group that handles batches whole gets each batch's fresh events in one call, in order; a failing batch goes one by one`, async () => {
    const { placed, schemas } = testSchemas();
    const producer = await harness.instance('shop', await harness.database('producer'), schemas);
    const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
    await consumer.bus.transaction((tx) => tx.query('CREATE TABLE charges (order_id text, via text)'));
    const calls: string[][] = [];
    const linked: string[] = [];
    const batchTraces: string[] = [];
    let seen = 0;
    await consumer.bus.subscribe(
      `${placed}-billing`,
      [placed],
      async (event, { tx, afterCommit }) => {
        const { orderId } = event.data as { orderId: string };
        await tx.query(`INSERT INTO charges VALUES ($1, 'alone')`, [orderId]);
        afterCommit(() => {
          seen += 1;
        });
      },
      {
        maxBatch: 32,
        // One batch at a time, so the events after the failing batch wait for it together
        // (see "events that arrive together" above).
        concurrency: 1,
        handleBatch: async (events, { tx, afterCommit }) => {
          const orders = events.map((event) => (event.data as { orderId: string }).orderId);
          calls.push(orders);
          // The SDK's span keeps its links (the API's does not show them).
          const span = trace.getActiveSpan() as unknown as {
            links?: Array<{ context: { traceId: string } }>;
          };
          linked.push(...(span?.links ?? []).map((link) => link.context.traceId));
          batchTraces.push(trace.getActiveSpan()?.spanContext().traceId ?? 'none');
          await tx.query(`INSERT INTO charges SELECT unnest($1::text[]), 'batch'`, [orders]);
          // One event refuses to go in a batch: its whole batch rolls back and goes one by one.
          if (orders.includes('o7')) throw new Error('o7 is not for batches');
          afterCommit(() => {
            seen += orders.length;
          });
        },
      },
    );
    const count = 40;
    const traceId = await trace.getTracer('test').startActiveSpan('checkout', async (span) => {
      await producer.bus.transaction(async (tx) => {
        for (let i = 0; i < count; i++)
          await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
      });
      span.end();
      return span.spanContext().traceId;
    });
    await eventually('all forty', () => seen === count);
    await sleep(200);
    const { rows } = await consumer.bus.transaction((tx) =>
      tx.query<{ order_id: string; via: string }>('SELECT order_id, via FROM charges'),
    );
    assert.equal(rows.length, count, 'every event applied once, nothing of the failed batch kept');
    assert.equal(new Set(rows.map((row) => row.order_id)).size, count);
    assert.equal(
      rows.find((row) => row.order_id === 'o7')?.via,
      'alone',
      'the failing batch went one by one',
    );
    assert.ok(
      rows.some((row) => row.via === 'batch'),
      'the batches after it were handled whole',
    );
    for (const orders of calls) {
      const numbers = orders.map((order) => Number(order.slice(1)));
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
        'a batch in publish order',
      );
      assert.ok(orders.length > 1, 'a lone delivery goes to the handler');
    }
    assert.ok(linked.length > 0, 'a batch span is linked to its producers');
    assert.ok(
      linked.every((id) => id === traceId),
      'each link is to the trace that published the event',
    );
    assert.deepEqual(
      new Set(batchTraces),
      new Set([traceId]),
      'a batch of events all from one trace goes on in that trace',
    );
  });
}
