import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Envelope, Queryable } from '@platform/chassis';
import { type ApplyOutcome, applyEvents } from '../src/projection.ts';
import { READ_MODELS } from '../src/store.ts';
import { type Harness, startHarness } from './harness.ts';
import { expected, republished, scriptedEvents } from './scenario.ts';

// The live consumer applies the facts that arrive together in one call (a batch), a
// lone fact and a rebuild's replay alike: a batch must build exactly what its events
// build applied one at a time, in a few statements for the whole batch.

let h: Harness;

before(async () => {
  h = await startHarness('analytics_batch');
});
after(() => h.close());

interface Applied {
  outcomes: ApplyOutcome[];
  views: Record<string, unknown[]>;
  statements: number;
}

/** What `apply` leaves in the read models, seen inside its transaction, rolled back after. */
async function inRolledBack(apply: (db: Queryable) => Promise<ApplyOutcome[]>): Promise<Applied> {
  const client = await h.pool.connect();
  let statements = 0;
  const counting = {
    query: (text: string, values?: unknown[]) => {
      statements++;
      return client.query(text, values);
    },
  } as unknown as Queryable;
  try {
    await client.query('BEGIN');
    const outcomes = await apply(counting);
    const views: Record<string, unknown[]> = {};
    for (const table of READ_MODELS) {
      const { rows } = await client.query(`SELECT * FROM ${table} t ORDER BY row_to_json(t)::text`);
      views[table] = rows;
    }
    const { rows } = await client.query('SELECT event_id, type, event_time FROM applied_events ORDER BY 1');
    views.applied_events = rows;
    return { outcomes, views, statements };
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

const oneByOne = (events: Envelope[]) =>
  inRolledBack(async (db) => {
    const outcomes: ApplyOutcome[] = [];
    for (const event of events) outcomes.push(...(await applyEvents(db, [event])));
    return outcomes;
  });

test('projection - a batch builds exactly what its events build one at a time, in a few statements', async (t) => {
  const events = scriptedEvents();
  const alone = await oneByOne(events);
  const batched = await inRolledBack((db) => applyEvents(db, events));
  assert.equal(alone.views.funnel_counts?.length, 5, 'the scenario reached every stage');
  assert.deepEqual(batched.views, alone.views);
  assert.deepEqual(batched.outcomes, alone.outcomes);
  assert.equal(batched.outcomes.filter((outcome) => outcome === 'applied').length, expected.events);
  t.diagnostic(
    `${events.length} events: ${batched.statements} statements batched, ${alone.statements} one at a time`,
  );
  assert.ok(
    batched.statements <= 12,
    `${events.length} events in ${batched.statements} statements (one at a time: ${alone.statements})`,
  );
});

test('projection - an event twice in one batch, or already applied, is a duplicate; other types are ignored', async () => {
  const [first, second] = scriptedEvents();
  if (!first || !second) throw new Error('the scenario has events');
  const other = { ...republished(first), type: 'cart.updated' };
  const { outcomes, views } = await inRolledBack(async (db) => [
    ...(await applyEvents(db, [first])),
    ...(await applyEvents(db, [second, first, other, second])),
  ]);
  assert.deepEqual(outcomes, ['applied', 'applied', 'duplicate', 'ignored', 'duplicate']);
  assert.equal(views.applied_events?.length, 2);
});

test('projection - an order id in capitals is the same order', async () => {
  const events = scriptedEvents();
  const shouting = events.map((event) => ({
    ...event,
    data: {
      ...(event.data as { orderId: string }),
      orderId: (event.data as { orderId: string }).orderId.toUpperCase(),
    },
  }));
  const plain = await inRolledBack((db) => applyEvents(db, events));
  const mixed = await inRolledBack((db) => applyEvents(db, [...events.slice(0, 9), ...shouting.slice(9)]));
  assert.deepEqual(mixed.views, plain.views);
});

test('projection - batches in any split and order end with the same views', async () => {
  const events = scriptedEvents();
  const whole = await inRolledBack((db) => applyEvents(db, events));
  const reversed = [...events].reverse();
  const split = await inRolledBack(async (db) => [
    ...(await applyEvents(db, reversed.slice(0, 7))),
    ...(await applyEvents(db, reversed.slice(7, 8))),
    ...(await applyEvents(db, reversed.slice(8))),
  ]);
  const { applied_events: _whole, ...wholeViews } = whole.views;
  const { applied_events: _split, ...splitViews } = split.views;
  assert.deepEqual(splitViews, wholeViews);
});
