import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, statementsDuring, type TestDatabase } from '@platform/testkit';
import pg from 'pg';
import { createLogger, createPostgresDriver } from '../../src/index.ts';
import { heldBackWatch, MARK_AND_CLAIM, MARK_DELAY_MS, RELAY_SESSION } from '../../src/messaging/outbox.ts';
import { BusHarness, eventually, testSchemas } from './harness.ts';

// The relay's ordering guard (docs/messaging.md, "Ordering"): driver-independent, so
// checked once, on the embedded driver.
let busDatabase: TestDatabase;
before(async () => {
  busDatabase = await createTestDatabase('bus');
});
after(() => busDatabase.drop());
const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });

/** A node of `EXPLAIN (FORMAT JSON)`'s plan, as far as read here. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

describe('outbox relay', () => {
  const harness = new BusHarness(() => createPostgresDriver({ url: busDatabase.url, log, leaseMs: 5_000 }));
  afterEach(() => harness.close());

  test('relay - events committed after an older writing transaction began wait until it ends', async () => {
    const { placed, producer, seen } = await harness.producerAndConsumer();
    let finish: () => void = () => undefined;
    const open = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let started: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = producer.bus.transaction(async (tx) => {
      await tx.publish({ type: placed, data: { orderId: 'first', amount: 1 } });
      // A writer: it holds a transaction id older than the next transaction's.
      await tx.query('SELECT pg_current_xact_id()');
      started();
      await open;
    });
    await inside;
    await producer.bus.transaction((tx) =>
      tx.publish({ type: placed, data: { orderId: 'second', amount: 2 } }),
    );
    await sleep(600);
    assert.deepEqual(seen, [], 'the later commit waits for the older open writer');
    finish();
    await slow;
    await eventually('both delivered', () => seen.length === 2);
    assert.deepEqual(seen.sort(), ['first', 'second']);
  });

  test('relay - an open transaction in another database on the same server does not hold it back', async () => {
    const { placed, producer, seen } = await harness.producerAndConsumer();
    const elsewhere = new pg.Client({ connectionString: (await harness.database('elsewhere')).url });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()'); // holds a transaction id, as a writer does
      await producer.bus.transaction((tx) =>
        tx.publish({ type: placed, data: { orderId: 'o1', amount: 1 } }),
      );
      await eventually(
        'delivered while the other database has an open transaction',
        () => seen.length === 1,
        5_000,
      );
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
    }
  });

  test('relay - a stream of commits goes out once each, and every row is marked sent once it is quiet', async () => {
    const { placed, producer, seen } = await harness.producerAndConsumer();
    // Commits keep arriving while the relay publishes, so it claims again at once and
    // marks the rows it published last in that claim: they must not be claimed again.
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 15; i++) {
          await producer.bus.transaction((tx) =>
            tx.publish({ type: placed, data: { orderId: `w${writer}-${i}`, amount: i } }),
          );
        }
      }),
    );
    await eventually('all handled', () => seen.length >= 120);
    // And one alone, with nothing after it to wake the relay.
    await producer.bus.transaction((tx) =>
      tx.publish({ type: placed, data: { orderId: 'last', amount: 1 } }),
    );
    await eventually('the last handled', () => seen.length >= 121);
    await sleep(MARK_DELAY_MS + 50);
    assert.equal(new Set(seen).size, 121);
    const published = new RegExp(
      `^bus_events_published_total\\{[^}]*type="${placed}"[^}]*\\} (\\d+)$`,
      'm',
    ).exec(await producer.service.metrics.metrics())?.[1];
    assert.equal(Number(published), 121, 'each row handed to the bus once');
    const unsent = await producer.bus.transaction((tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL'),
    );
    assert.equal(unsent.rows[0]?.n, 0, 'the last rows out are marked before the relay waits');
  });

  test('relay - commits that follow each other within the delay are marked sent by the next claim, not a statement of their own', async () => {
    const { placed, producer, seen } = await harness.producerAndConsumer();
    const unsent = async () =>
      (
        await producer.bus.transaction((tx) =>
          tx.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL'),
        )
      ).rows[0]?.n;
    const sent = await statementsDuring(async () => {
      for (let i = 0; i < 5; i++) {
        await producer.bus.transaction((tx) =>
          tx.publish({ type: placed, data: { orderId: `soon-${i}`, amount: i } }),
        );
        await eventually('handled', () => seen.length === i + 1);
        await sleep(MARK_DELAY_MS / 5);
      }
    });
    const marks = sent.filter(({ text }) => text.startsWith('UPDATE outbox SET sent_at'));
    assert.equal(marks.length, 0, 'each batch was marked by the claim after it');
    // The last has no claim after it: marked on its own once the delay is over.
    await eventually('the last row marked sent', async () => (await unsent()) === 0);
  });

  test('relay - its claim walks the unsent rows in order: rows marked sent since the last vacuum are passed in the index, not fetched again', async () => {
    // Marking a row sent leaves its old version, and that version's entry in the unsent
    // rows' index, until a vacuum: hundreds a second on a busy service. A bitmap scan
    // fetches every one of them from the table on every claim and leaves them in the
    // index; an index scan in order marks them dead as it passes, and later claims skip
    // them. The plan checked is the relay's own (generic, RELAY_SESSION), on a table
    // the planner has never seen analyzed, as a freshly started service's is.
    const { schemas } = testSchemas();
    const shop = await harness.instance('shop', await harness.database('shop'), schemas);
    const planner = new pg.Client({ connectionString: shop.database.url });
    await planner.connect();
    try {
      await planner.query(RELAY_SESSION);
      await planner.query(`PREPARE claim(int, bigint[]) AS ${MARK_AND_CLAIM([200, []]).text}`);
      const { rows } = await planner.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `EXPLAIN (FORMAT JSON) EXECUTE claim(200, '{}')`,
      );
      const scans: string[] = [];
      const walk = (node: PlanNode) => {
        if (node['Relation Name'] === 'outbox' && node['Node Type'].endsWith('Scan'))
          scans.push(`${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());
        for (const child of node.Plans ?? []) walk(child);
      };
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
      assert.ok(plan, 'EXPLAIN answered a plan');
      walk(plan);
      // The mark finds its rows by id; the claim, and the look for rows held back, walk the unsent rows' index.
      assert.deepEqual(scans, [
        'Index Scan outbox_pkey',
        'Index Scan outbox_unsent_idx',
        'Index Scan outbox_unsent_idx',
      ]);
    } finally {
      await planner.end();
    }
  });

  test('relay - one instance of a service relays; when it stops, one standing by takes over', async () => {
    const { placed, schemas } = testSchemas();
    const shop = await harness.database('shop');
    const leader = await harness.instance('shop', shop, schemas);
    const standby = await harness.instance('shop', shop, schemas);
    const billing = await harness.instance('billing', await harness.database('billing'), schemas);
    const seen: string[] = [];
    await billing.bus.subscribe(`${placed}-billing`, [placed], async (event) => {
      seen.push((event.data as { orderId: string }).orderId);
    });
    const order = (bus: typeof leader.bus, orderId: string) =>
      bus.transaction((tx) => tx.publish({ type: placed, data: { orderId, amount: 1 } }));
    await order(leader.bus, 'while-the-first-leads');
    await eventually('delivered', () => seen.length === 1);
    // The standby's commit reaches the leader (a NOTIFY): the leader sends it.
    await order(standby.bus, 'told-the-leader');
    await eventually('delivered by the leader', () => seen.length === 2);
    await leader.service.shutdown('test: the leader goes');
    await order(standby.bus, 'after-the-leader-went');
    await eventually('delivered by the instance that took over', () => seen.length === 3);
    assert.deepEqual(seen, ['while-the-first-leads', 'told-the-leader', 'after-the-leader-went']);
  });

  test('producer - tx.afterCommit runs once the transaction committed, and never after a rollback', async () => {
    const { placed, schemas } = testSchemas();
    const producer = await harness.instance('shop', await harness.database('producer'), schemas);
    const told: string[] = [];
    await producer.bus.transaction(async (tx) => {
      await tx.publish({ type: placed, data: { orderId: 'o1', amount: 1 } });
      tx.afterCommit(async () => {
        const { rows } = await producer.bus.transaction((check) =>
          check.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox'),
        );
        told.push(`committed, outbox ${rows[0]?.n}`);
      });
      assert.deepEqual(told, [], 'not before the commit');
    });
    await assert.rejects(
      producer.bus.transaction(async (tx) => {
        tx.afterCommit(() => told.push('rolled back'));
        throw new Error('refused');
      }),
    );
    await eventually('told once', () => told.length === 1);
    await sleep(100);
    assert.deepEqual(told, ['committed, outbox 1']);
  });
});

test('relay warning - rows held for over 5 s with nothing going out warn, once a minute; rows going out meanwhile never do', () => {
  const stuck = heldBackWatch();
  const seen = [0, 2_000, 5_000, 5_001, 20_000, 65_001, 65_002, 65_003].map((at) =>
    stuck({ sent: 0, held: true }, at),
  );
  assert.deepEqual(seen, [undefined, undefined, undefined, 5_001, undefined, undefined, 65_002, undefined]);

  // A busy database: each claim sends rows while its newest wait for their neighbours' commits.
  const busy = heldBackWatch();
  for (let at = 0; at <= 120_000; at += 10) assert.equal(busy({ sent: 3, held: true }, at), undefined);

  // Held, then nothing held: the clock starts again.
  const cleared = heldBackWatch();
  cleared({ sent: 0, held: true }, 0);
  cleared({ sent: 0, held: false }, 4_000);
  assert.equal(cleared({ sent: 0, held: true }, 6_000), undefined);
  assert.equal(cleared({ sent: 0, held: true }, 11_001), 5_001);
});
