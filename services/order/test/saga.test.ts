// The orchestrated saga's I/O against a real database and bus: the probe plays every
// participant, hearing the saga's commands and answering them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@platform/chassis';
import type { EventType, orders } from '@platform/contracts';
import { eventually } from '@platform/testkit';
import pg from 'pg';
import type { Order } from '../src/domain/order.ts';
import { lockOrder, lockSaga, lockSagas } from '../src/holds.ts';
import { type Harness, saying, startHarness, transactionsDuring } from './harness.ts';

let harness: Harness;
before(async () => {
  harness = await startHarness('order_saga');
});
after(() => harness?.close());

/** Hears the saga ask `command` of `orderId` and answers `reply`; returns the command. */
async function answer(
  command: EventType,
  reply: Parameters<typeof saying>[0],
  orderId: string,
  h: Harness = harness,
): Promise<Envelope> {
  const asked = await h.command(command, orderId);
  await h.probe.reply(asked, reply, saying(reply, orderId));
  return asked;
}

const heard = (type: EventType, orderId: string) =>
  harness.probe.heard().filter((event) => event.type === type && event.subject === orderId);

test('saga - each answer moves the order and asks the next step, each committed once; CONFIRMED is told', async () => {
  const id = await harness.placeOne();
  // Stock and payment asked together, at placement.
  const authorize = await harness.command('payment.authorize', id);
  await answer('inventory.reserve-stock', 'inventory.stock.reserved', id);
  // Once the reserve's move committed, what follows is the authorization's alone.
  await harness.reaches(id, 'STOCK_RESERVED');
  const transactions = await transactionsDuring(harness.database, async () => {
    await harness.probe.reply(authorize, 'payment.authorized', saying('payment.authorized', id));
    await harness.command('shipping.schedule-shipment', id);
  });
  await answer('shipping.schedule-shipment', 'shipping.scheduled', id);
  await answer('payment.capture', 'payment.captured', id);
  await answer('inventory.commit-stock', 'inventory.stock.committed', id);
  const confirmed = await harness.reaches(id, 'CONFIRMED');
  assert.deepEqual(
    confirmed.timeline.map(
      (entry) => `${entry.step}:${entry.outcome}${entry.detail ? `:${entry.detail}` : ''}`,
    ),
    [
      'place-order:placed',
      'reserve-stock:succeeded',
      'authorize-payment:succeeded',
      'schedule-shipment:succeeded:TRK-1',
      'capture-payment:succeeded',
      'commit-stock:succeeded',
      'order:confirmed',
    ],
  );
  const told = await harness.probe.next((e) => e.type === 'order.confirmed' && e.subject === id);
  assert.deepEqual(told.data, { orderId: id, userId: confirmed.userId, totals: confirmed.totals });
  const [saga] = await harness.sql('SELECT awaiting_command, deadline_at FROM sagas WHERE order_id = $1', [
    id,
  ]);
  assert.deepEqual(saga, { awaiting_command: null, deadline_at: null }, 'nothing is awaited once confirmed');

  const step = transactions.filter((statements) =>
    statements.some((text) => /INSERT INTO order_events/.test(text)),
  );
  assert.equal(step.length, 1, 'the authorization is recorded in one transaction');
  const [statements = []] = step;
  assert.equal(
    statements.filter((text) => /INSERT INTO orders\b/.test(text)).length,
    1,
    'the projection written once',
  );
  // The inbox's row, the saga locked with its order, the next command, the move written.
  assert.ok(statements.length <= 4, `${statements.length} statements: ${statements.join('\n---\n')}`);
});

test('saga - past the pivot, capture and commit are asked in one move; answered in the other order, the order is confirmed once both are in', async () => {
  const id = await harness.placeOne();
  await answer('inventory.reserve-stock', 'inventory.stock.reserved', id);
  await answer('payment.authorize', 'payment.authorized', id);
  await answer('shipping.schedule-shipment', 'shipping.scheduled', id);
  // Both asked before either is answered.
  const capture = await harness.command('payment.capture', id);
  const commitStock = await harness.command('inventory.commit-stock', id);
  await harness.probe.reply(
    commitStock,
    'inventory.stock.committed',
    saying('inventory.stock.committed', id),
  );
  await eventually(async () =>
    (await harness.order(id)).timeline.some((entry) => entry.step === 'commit-stock'),
  );
  assert.equal((await harness.order(id)).status, 'PAYMENT_AUTHORIZED', 'not confirmed on one answer');
  await harness.probe.reply(capture, 'payment.captured', saying('payment.captured', id));
  const confirmed = await harness.reaches(id, 'CONFIRMED');
  assert.deepEqual(
    confirmed.timeline.slice(-3).map((entry) => `${entry.step}:${entry.outcome}`),
    ['commit-stock:succeeded', 'capture-payment:succeeded', 'order:confirmed'],
  );
  // A repeated answer to a step already in changes nothing.
  const handled = async () =>
    (
      await harness.sql<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE group_name = 'order-saga'`)
    )[0]?.n;
  const before = await handled();
  await harness.probe.reply(
    commitStock,
    'inventory.stock.committed',
    saying('inventory.stock.committed', id),
  );
  await eventually(async () => (await handled()) === (before ?? 0) + 1);
  assert.deepEqual((await harness.order(id)).timeline, confirmed.timeline);
});

test("saga - a payment declined before the reserve answers releases the stock at once; the reserve's late answer is ignored", async () => {
  const id = await harness.placeOne();
  const reserve = await harness.command('inventory.reserve-stock', id);
  await answer('payment.authorize', 'payment.failed', id);
  const release = await harness.command('inventory.release-stock', id);
  await harness.probe.reply(reserve, 'inventory.stock.reserved', saying('inventory.stock.reserved', id));
  await harness.probe.reply(release, 'inventory.stock.released', saying('inventory.stock.released', id));
  const rejected = await harness.reaches(id, 'REJECTED');
  assert.deepEqual(
    rejected.timeline.map((entry) => `${entry.step}:${entry.outcome}`),
    ['place-order:placed', 'authorize-payment:failed', 'release-stock:compensated', 'order:rejected'],
    'the late reserve answer left no trace',
  );
});

test('saga - a declined payment releases the stock and rejects the order; REJECTED is told', async () => {
  const id = await harness.placeOne();
  await answer('inventory.reserve-stock', 'inventory.stock.reserved', id);
  await answer('payment.authorize', 'payment.failed', id);
  const release = await answer('inventory.release-stock', 'inventory.stock.released', id);
  assert.deepEqual(release.data, { orderId: id, reason: 'card_declined' });
  const rejected = await harness.reaches(id, 'REJECTED');
  assert.equal(rejected.reason, 'card_declined');
  await harness.probe.next((e) => e.type === 'order.rejected' && e.subject === id);
});

test('saga - a cancel while stock and payment are in flight awaits their answers (same commands, same deadline), then undoes both', async () => {
  const id = await harness.placeOne();
  const reserve = await harness.command('inventory.reserve-stock', id);
  const authorize = await harness.command('payment.authorize', id);
  const [before] = await harness.sql<{ deadline_at: Date }>(
    'SELECT deadline_at FROM sagas WHERE order_id = $1',
    [id],
  );
  const response = await harness.cancel(id, 'changed my mind');
  assert.equal(response.status, 202);
  assert.equal(((await response.json()) as orders.Order).status, 'PENDING');
  const [during] = await harness.sql('SELECT awaiting_command, deadline_at FROM sagas WHERE order_id = $1', [
    id,
  ]);
  assert.deepEqual(during, { awaiting_command: reserve.id, deadline_at: before?.deadline_at });

  await harness.probe.reply(reserve, 'inventory.stock.reserved', saying('inventory.stock.reserved', id));
  await harness.reaches(id, 'STOCK_RESERVED');
  assert.equal(heard('inventory.release-stock', id).length, 0, 'nothing undone while the payment is out');
  await harness.probe.reply(authorize, 'payment.authorized', saying('payment.authorized', id));
  await answer('payment.cancel', 'payment.voided', id);
  await answer('inventory.release-stock', 'inventory.stock.released', id);
  const cancelled = await harness.reaches(id, 'CANCELLED');
  assert.equal(cancelled.reason, 'changed my mind');
  await harness.probe.next((e) => e.type === 'order.cancelled' && e.subject === id);
});

/** Resolves once a session of the order's database waits for a row lock (the mover's). */
async function someoneWaitsForALock(): Promise<void> {
  await eventually(async () => {
    const waiting = await harness.sql<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return waiting.length > 0;
  });
}

/**
 * Begins a move of order `id` as the service writes one (its rows locked by `locking`,
 * an event appended, the projection's version moved on) and leaves it uncommitted.
 */
async function moveByHand(mover: pg.Client, id: string, locking: string): Promise<void> {
  await mover.query('BEGIN');
  await mover.query(`SELECT 1 ${locking}`, [id]);
  await mover.query(
    `INSERT INTO order_events (order_id, seq, type, data)
     SELECT $1, max(seq) + 1, 'StepWaiting', '{"step":"reserve-stock"}' FROM order_events WHERE order_id = $1`,
    [id],
  );
  await mover.query('UPDATE orders SET version = version + 1 WHERE id = $1', [id]);
}

/** What `hold` reads of order `id` in a transaction of its own while `mover`'s move of it is uncommitted, then committed. */
async function heldAfterMove(
  id: string,
  locking: string,
  hold: (db: pg.Client) => Promise<Order | undefined>,
): Promise<{ before: number; read: Order | undefined }> {
  const mover = new pg.Client({ connectionString: harness.database.url });
  const reader = new pg.Client({ connectionString: harness.database.url });
  await Promise.all([mover.connect(), reader.connect()]);
  try {
    const [row] = await harness.sql<{ version: number }>('SELECT version FROM orders WHERE id = $1', [id]);
    await moveByHand(mover, id, locking);
    await reader.query('BEGIN');
    const reading = hold(reader);
    await someoneWaitsForALock();
    await mover.query('COMMIT');
    const read = await reading;
    await reader.query('COMMIT');
    return { before: row?.version ?? 0, read };
  } finally {
    await Promise.all([mover.end(), reader.end()]);
  }
}

const HOLDING_SAGA_AND_ORDER =
  'FROM sagas s JOIN orders o ON o.id = s.order_id WHERE s.order_id = $1 FOR UPDATE OF s, o';
for (const { name, locking, hold } of [
  {
    name: 'store - tracking that waited for a move of the saga reads the order after it',
    locking: HOLDING_SAGA_AND_ORDER,
    hold: (db: pg.Client, id: string) => lockOrder(db, id),
  },
  {
    name: 'store - the saga waits for a move of tracking (which holds only the order) and reads the order after it',
    locking: 'FROM orders WHERE id = $1 FOR UPDATE',
    hold: async (db: pg.Client, id: string) => (await lockSaga(db, id))?.order,
  },
  {
    name: 'store - a batch holding its sagas waits for a move of tracking and reads the order after it',
    locking: 'FROM orders WHERE id = $1 FOR UPDATE',
    hold: async (db: pg.Client, id: string) => (await lockSagas(db, [id]))?.get(id)?.order,
  },
]) {
  test(name, async () => {
    const id = await harness.placeOne();
    await harness.command('inventory.reserve-stock', id);
    const { before, read } = await heldAfterMove(id, locking, (db) => hold(db, id));
    assert.equal(read?.version, before + 1, 'the move it waited for is in the order it read');
  });
}

test('store - a batch holds every saga it names in one statement, each as held alone', async () => {
  const ids = [await harness.placeOne(), await harness.placeOne(), await harness.placeOne()];
  const client = new pg.Client({ connectionString: harness.database.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    // One at a time: one connection runs one statement at a time (pg 9 refuses a second).
    const alone = [];
    for (const id of ids) alone.push(await lockSaga(client, id));
    const together = await lockSagas(
      client,
      [...ids].reverse().concat('00000000-0000-4000-8000-000000000000'),
    );
    await client.query('COMMIT');
    assert.equal(together.size, 3, 'an order without a saga is left out');
    for (const [i, id] of ids.entries()) assert.deepEqual(together.get(id), alone[i]);
  } finally {
    await client.end();
  }
});

test('saga - answers that arrive together each move their own saga once, their sagas held in one statement and their moves written in one', async () => {
  const ids = await Promise.all(Array.from({ length: 6 }, () => harness.placeOne()));
  const asked = await Promise.all(ids.map((id) => harness.command('inventory.reserve-stock', id)));
  const [{ since } = { since: '' }] = await harness.sql<{ since: string }>(
    'SELECT clock_timestamp()::text AS since',
  );
  const transactions = await transactionsDuring(harness.database, async () => {
    await harness.probe.replyAll(
      asked.map((command, i) => ({
        command,
        type: 'inventory.stock.reserved' as const,
        data: saying('inventory.stock.reserved', ids[i] ?? ''),
      })),
    );
    for (const id of ids) await harness.reaches(id, 'STOCK_RESERVED');
  });
  for (const id of ids) {
    const order = await harness.order(id);
    assert.equal(
      order.timeline.filter((entry) => entry.step === 'reserve-stock' && entry.outcome === 'succeeded')
        .length,
      1,
      'each reserve recorded once',
    );
  }
  const [moved] = await harness.sql<{ transactions: number }>(
    `SELECT count(DISTINCT xmin::text)::int AS transactions FROM order_events
     WHERE order_id = ANY($1::uuid[]) AND recorded_at > $2::timestamptz`,
    [ids, since],
  );
  assert.ok((moved?.transactions ?? 6) < 6, `the six moves shared transactions: ${moved?.transactions}`);
  const batches = transactions.filter((statements) =>
    statements.some((text) => /FOR UPDATE OF s, o/.test(text) && /ANY\(\$1::uuid\[\]\)/.test(text)),
  );
  assert.ok(batches.length > 0, 'answers came in batches');
  for (const statements of batches) {
    assert.equal(
      statements.filter((text) => /FOR UPDATE OF s, o/.test(text)).length,
      1,
      'the batch held its sagas in one statement',
    );
    assert.equal(
      statements.filter((text) => /INSERT INTO order_events/.test(text)).length,
      1,
      'the batch wrote its moves in one statement',
    );
  }
});

test('saga - both answers past the pivot arriving together move the order twice in one transaction: confirmed once, its events and projection in step', async () => {
  const ids = await Promise.all([harness.placeOne(), harness.placeOne()]);
  for (const id of ids) {
    await answer('inventory.reserve-stock', 'inventory.stock.reserved', id);
    await answer('payment.authorize', 'payment.authorized', id);
    await answer('shipping.schedule-shipment', 'shipping.scheduled', id);
  }
  const asked = await Promise.all(
    ids.map(async (id) => ({
      id,
      capture: await harness.command('payment.capture', id),
      commitStock: await harness.command('inventory.commit-stock', id),
    })),
  );
  await harness.probe.replyAll(
    asked.flatMap(({ id, capture, commitStock }) => [
      { command: capture, type: 'payment.captured' as const, data: saying('payment.captured', id) },
      {
        command: commitStock,
        type: 'inventory.stock.committed' as const,
        data: saying('inventory.stock.committed', id),
      },
    ]),
  );
  const movedTogether: boolean[] = [];
  for (const id of ids) {
    const confirmed = await harness.reaches(id, 'CONFIRMED');
    assert.equal(confirmed.timeline.filter((entry) => entry.step === 'order').length, 1, 'confirmed once');
    const [both] = await harness.sql<{ transactions: number }>(
      `SELECT count(DISTINCT xmin::text)::int AS transactions FROM
         (SELECT xmin FROM order_events WHERE order_id = $1 ORDER BY seq DESC LIMIT 3) last`,
      [id],
    );
    movedTogether.push(both?.transactions === 1);
    const [row] = await harness.sql<{ version: number; events: number; last: number; status: string }>(
      `SELECT o.version, o.status, (SELECT count(*)::int FROM order_events e WHERE e.order_id = o.id) AS events,
         (SELECT max(seq) FROM order_events e WHERE e.order_id = o.id) AS last
       FROM orders o WHERE o.id = $1`,
      [id],
    );
    assert.equal(row?.status, 'CONFIRMED');
    assert.equal(row?.events, row?.last, 'events numbered without a gap');
    assert.equal(row?.version, row?.events, 'the projection is at the last event');
    await harness.probe.next((event) => event.type === 'order.confirmed' && event.subject === id);
    await sleep(200);
    assert.equal(heard('order.confirmed', id).length, 1, 'told once');
  }
  assert.ok(movedTogether.includes(true), 'an order took both answers in one transaction (one batch)');
});

test('saga - a cancel that waited for a move of its order to commit reads the order after it, not before (no 500)', async () => {
  const id = await harness.placeOne();
  await harness.command('inventory.reserve-stock', id);
  // A move of the saga (another instance's, the bus's) holds the order while it appends.
  const mover = new pg.Client({ connectionString: harness.database.url });
  await mover.connect();
  try {
    await moveByHand(mover, id, HOLDING_SAGA_AND_ORDER);
    const cancelling = harness.cancel(id, 'changed my mind');
    await someoneWaitsForALock(); // the cancel
    await mover.query('COMMIT');
    const response = await cancelling;
    assert.equal(response.status, 202, await response.clone().text());
  } finally {
    await mover.end();
  }
  const events = await harness.sql<{ type: string }>(
    'SELECT type FROM order_events WHERE order_id = $1 ORDER BY seq',
    [id],
  );
  assert.deepEqual(
    events.slice(-2).map((event) => event.type),
    ['StepWaiting', 'CancellationRequested'],
  );
});

test('saga - a restarted order service carries on from the saga in its database', async () => {
  const id = await harness.placeOne();
  const reserve = await harness.command('inventory.reserve-stock', id);
  await harness.restart();
  await harness.probe.reply(reserve, 'inventory.stock.reserved', saying('inventory.stock.reserved', id));
  await harness.command('payment.authorize', id);
  await harness.reaches(id, 'STOCK_RESERVED');
});

test('tracking - a parcel that left before the order was confirmed is kept on the order and recorded in the move that confirms it; SHIPPED and DELIVERED are told once', async () => {
  const id = await harness.placeOne();
  await answer('inventory.reserve-stock', 'inventory.stock.reserved', id);
  await answer('payment.authorize', 'payment.authorized', id);
  await answer('shipping.schedule-shipment', 'shipping.scheduled', id);
  await harness.probe.publish('shipping.shipped', saying('shipping.shipped', id), id);
  // Kept at once (not failed and heard again until the order is confirmed).
  const kept = await eventually(async () => {
    const order = await harness.order(id);
    return order.timeline.some((entry) => entry.outcome === 'shipped-early') ? order : undefined;
  });
  assert.equal(kept.status, 'PAYMENT_AUTHORIZED');
  assert.equal(heard('order.shipped', id).length, 0, 'not told before the confirmation');
  await answer('payment.capture', 'payment.captured', id);
  await answer('inventory.commit-stock', 'inventory.stock.committed', id);
  const shipped = await harness.reaches(id, 'SHIPPED');
  const [confirmedAt, shippedAt] = shipped.timeline.slice(-2);
  assert.deepEqual(
    [confirmedAt, shippedAt].map((entry) => `${entry?.step}:${entry?.outcome}`),
    ['order:confirmed', 'shipment:shipped'],
  );
  assert.equal(shippedAt?.at, confirmedAt?.at, 'in the same move');
  await harness.probe.next((e) => e.type === 'order.shipped' && e.subject === id);
  await harness.probe.publish('shipping.delivered', saying('shipping.delivered', id), id);
  await harness.reaches(id, 'DELIVERED');
  await harness.probe.next((e) => e.type === 'order.delivered' && e.subject === id);
  // A repeated delivery changes nothing and tells nothing again.
  await harness.probe.publish('shipping.delivered', saying('shipping.delivered', id), id);
  await harness.probe.publish('shipping.shipped', saying('shipping.shipped', id), id);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal((await harness.order(id)).version, shipped.version + 1);
  assert.equal(heard('order.shipped', id).length, 1);
  assert.equal(heard('order.delivered', id).length, 1);
});

test('tracking - parcel news arriving together moves each order once: their orders held in one statement, their moves written in one', async () => {
  const ids = await Promise.all(Array.from({ length: 5 }, () => harness.placeOne()));
  for (const id of ids) await harness.confirm(id);
  const news = (type: 'shipping.shipped' | 'shipping.delivered') =>
    ids.map((orderId) => ({ type, data: saying(type, orderId), orderId }));
  const transactions = await transactionsDuring(harness.database, async () => {
    // Shipped and delivered of one order in one batch too: the second moves from the first.
    await harness.probe.publishAll([...news('shipping.shipped'), ...news('shipping.delivered').slice(0, 2)]);
    for (const [i, id] of ids.entries()) await harness.reaches(id, i < 2 ? 'DELIVERED' : 'SHIPPED');
  });
  for (const id of ids) {
    await harness.probe.next((e) => e.type === 'order.shipped' && e.subject === id);
    assert.equal(heard('order.shipped', id).length, 1, 'SHIPPED told once');
  }
  const batches = transactions.filter((statements) =>
    statements.some((text) => /INSERT INTO order_events/.test(text)),
  );
  assert.ok(batches.length < ids.length, `the news shared transactions: ${batches.length}`);
  for (const statements of batches) {
    assert.equal(
      statements.filter((text) => /FOR UPDATE/.test(text)).length,
      1,
      `the batch held its orders in one statement: ${statements.join('\n---\n')}`,
    );
    assert.equal(
      statements.filter((text) => /INSERT INTO order_events/.test(text)).length,
      1,
      'the batch wrote its moves in one statement',
    );
  }
});

test('saga - a silent step is undone past its deadline; its late answer is ignored', async () => {
  const quick = await startHarness('order_saga_quick', { SAGA_STEP_TIMEOUT_MS: '1000' });
  try {
    const id = await quick.placeOne();
    const reserve = await quick.command('inventory.reserve-stock', id);
    const authorize = await quick.command('payment.authorize', id);
    // Silent: each may have happened, so both undos are asked, one at a time.
    const cancel = await quick.command('payment.cancel', id);
    await quick.probe.reply(reserve, 'inventory.stock.reserved', saying('inventory.stock.reserved', id));
    await quick.probe.reply(authorize, 'payment.authorized', saying('payment.authorized', id));
    await quick.probe.reply(cancel, 'payment.voided', saying('payment.voided', id));
    await answer('inventory.release-stock', 'inventory.stock.released', id, quick);
    const rejected = await quick.reaches(id, 'REJECTED');
    assert.equal(rejected.reason, 'reserve-stock timed out');
    assert.deepEqual(
      rejected.timeline.map((entry) => `${entry.step}:${entry.outcome}`),
      [
        'place-order:placed',
        'reserve-stock:timed-out',
        'authorize-payment:timed-out',
        'cancel-payment:compensated',
        'release-stock:compensated',
        'order:rejected',
      ],
      'the late answers left no trace',
    );
  } finally {
    await quick.close();
  }
});
