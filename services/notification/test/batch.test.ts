import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createEnvelope, type Queryable } from '@platform/chassis';
import { type NewDelivery, recordDeliveries } from '../src/deliveries.ts';
import { handleEvents, NotYetKnown } from '../src/handlers.ts';
import { findOrdersAndUsers, insertOrders, upsertUser } from '../src/store.ts';
import { loadTemplates } from '../src/templates.ts';
import { type Harness, startHarness } from './harness.ts';

// The store calls a batch of events makes: one lookup and one insert for all of them,
// and what a batch does when a copy is missing.

let h: Harness;

before(async () => {
  h = await startHarness('notification_batch');
});
after(() => h.close());

/** The service's database, counting the statements sent through it. */
function counting(): { db: Queryable; statements: () => number } {
  let statements = 0;
  const db = {
    query: (...args: Parameters<Queryable['query']>) => {
      statements++;
      return h.pool.query(...args);
    },
  } as Queryable;
  return { db, statements: () => statements };
}

test('batch - the copies several notices need are found in one statement, in the order asked, missing ones undefined', async () => {
  const ada = { userId: randomUUID(), email: 'ada@example.test', name: 'Ada', channels: {}, version: 1 };
  await upsertUser(h.pool, ada);
  const orderId = randomUUID();
  const order = {
    orderId,
    userId: ada.userId,
    items: [],
    totals: { subtotal: 0, tax: 0, shipping: 0, total: 0, currency: 'EUR' },
  };
  await insertOrders(h.pool, [{ ...order, placedAt: new Date().toISOString() }]);
  const { db, statements } = counting();
  const unknownOrder = randomUUID();
  const found = await findOrdersAndUsers(db, [
    { orderId, userId: undefined },
    { orderId: undefined, userId: ada.userId },
    { orderId: unknownOrder, userId: undefined },
    { orderId, userId: randomUUID() },
  ]);
  assert.equal(statements(), 1);
  assert.deepEqual(found, [
    { order, user: ada },
    { order: undefined, user: ada },
    { order: undefined, user: undefined },
    { order, user: undefined },
  ]);
});

test('batch - the order copies a batch carries are kept in one statement; the first copy of an order stays', async () => {
  const userId = randomUUID();
  const copy = (orderId: string, total: number) => ({
    orderId,
    userId,
    items: [],
    totals: { subtotal: total, tax: 0, shipping: 0, total, currency: 'EUR' },
    placedAt: new Date().toISOString(),
  });
  const [first, second] = [randomUUID(), randomUUID()];
  await insertOrders(h.pool, [copy(first, 100)]);
  const { db, statements } = counting();
  await insertOrders(db, [copy(first, 999), copy(second, 200), copy(second, 300)]);
  assert.equal(statements(), 1);
  const kept = await h.pool.query<{ order_id: string; total: number }>(
    `SELECT order_id, (totals->>'total')::int AS total FROM orders WHERE order_id = ANY($1::uuid[]) ORDER BY total`,
    [[first, second]],
  );
  assert.deepEqual(
    kept.rows.map((row) => [row.order_id, row.total]),
    [
      [first, 100],
      [second, 200],
    ],
  );
});

test('batch - messages are recorded in one statement; one already recorded for its event and channel is not, nor counted', async () => {
  const eventId = randomUUID();
  const message = (channel: NewDelivery['channel']): NewDelivery => ({
    eventId,
    eventType: 'order.confirmed',
    kind: 'order-confirmed',
    orderId: randomUUID(),
    channel,
    userId: 'u1',
    recipient: channel === 'email' ? 'ada@example.test' : 'u1',
    subject: 'Order confirmed',
    text: 'Thank you',
    html: channel === 'email' ? '<p>Thank you</p>' : null,
  });
  assert.equal(await recordDeliveries(h.pool, [message('email')]), 1);
  const { db, statements } = counting();
  const failed = { ...message('email'), eventId: randomUUID(), recipient: null, failed: 'recipient unknown' };
  assert.equal(await recordDeliveries(db, [message('email'), message('sms'), failed]), 2);
  assert.equal(statements(), 1);
  // The service's sender may have taken the pending ones by now: what was recorded is the point.
  const rows = await h.query<{ channel: string; failed: boolean; last_error: string | null }>(
    `SELECT channel, status = 'failed' AS failed, last_error FROM deliveries
     WHERE event_id = ANY($1) ORDER BY channel, failed DESC`,
    [[eventId, failed.eventId]],
  );
  assert.deepEqual(rows, [
    { channel: 'email', failed: true, last_error: 'recipient unknown' },
    { channel: 'email', failed: false, last_error: null },
    { channel: 'sms', failed: false, last_error: null },
  ]);
});

test('batch - a batch whose notice misses its copies fails whole, whatever its most tried event: none is recorded failed for another’s attempts', async () => {
  const notices = [randomUUID(), randomUUID()].map((orderId) =>
    createEnvelope('test', {
      type: 'order.confirmed',
      subject: orderId,
      data: {
        orderId,
        userId: randomUUID(),
        totals: { subtotal: 0, tax: 0, shipping: 0, total: 0, currency: 'EUR' },
      },
    }),
  );
  const deps = {
    templates: await loadTemplates(),
    shopUrl: 'http://shop.test',
    maxAttempts: 4,
    recorded() {},
  };
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    const tx = { query: client.query.bind(client) } as unknown as Parameters<typeof handleEvents>[1]['tx'];
    // The batch's attempt is the last allowed, as one redelivered event's would be.
    const context = { tx, attempt: 4, afterCommit: () => undefined };
    await assert.rejects(handleEvents(notices, context, deps), NotYetKnown);
    await client.query('ROLLBACK');
    // Alone on its last attempt, a notice is recorded as failed, where operators see it.
    await client.query('BEGIN');
    await handleEvents(notices.slice(0, 1), context, deps);
    const [row] = (
      await client.query<{ status: string }>('SELECT status FROM deliveries WHERE event_id = $1', [
        notices[0]?.id,
      ])
    ).rows;
    assert.equal(row?.status, 'failed');
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
});
