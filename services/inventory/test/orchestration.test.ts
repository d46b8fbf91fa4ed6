import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createEnvelope, type Logger, withTransaction } from '@platform/chassis';
import { stockOperations } from '../src/operations.ts';
import { eventually, type Harness, heardFor, replyFor, startHarness } from './harness.ts';

let h: Harness;

before(async () => {
  h = await startHarness('inventory_saga', { INVENTORY_SWEEP_INTERVAL_MS: '100' });
});
after(() => h.close());

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
const REPLIES = ['inventory.stock.reserved', 'inventory.stock.reservation-failed'];
const FIRST_ANSWERS = [...REPLIES, 'inventory.stock.waiting'];

async function reserve(
  orderId: string,
  lines: Array<{ productId: string; quantity: number }>,
  expiresAt = inAMinute(),
) {
  const command = await h.probe.send('inventory.reserve-stock', { orderId, lines, expiresAt }, orderId);
  const answer = await h.probe.next(
    (event) => event.subject === orderId && FIRST_ANSWERS.includes(event.type),
  );
  return Object.assign(answer, { command });
}

/** The final answer to a reserve: reserved or refused (after waiting in line, perhaps). */
const finalAnswer = (orderId: string) =>
  h.probe.next((event) => event.subject === orderId && REPLIES.includes(event.type));

test('inventory - a reservation takes every line or none; unknown products have nothing available', async () => {
  const [plenty, scarce, unknown] = [randomUUID(), randomUUID(), randomUUID()];
  await h.setStock(plenty, 10);
  await h.setStock(scarce, 1);

  const tooMuch = randomUUID();
  const refused = await reserve(tooMuch, [
    { productId: plenty, quantity: 2 },
    { productId: scarce, quantity: 2 },
    { productId: unknown, quantity: 1 },
  ]);
  assert.equal(refused.type, 'inventory.stock.reservation-failed');
  const failure = refused.data as { reason: string; shortages: Array<{ productId: string }> };
  assert.equal(failure.reason, 'insufficient stock');
  const byProduct = (a: { productId: string }, b: { productId: string }) =>
    a.productId.localeCompare(b.productId);
  assert.deepEqual(
    [...failure.shortages].sort(byProduct),
    [
      { productId: scarce, requested: 2, available: 1 },
      { productId: unknown, requested: 1, available: 0 },
    ].sort(byProduct),
  );
  assert.deepEqual(await h.stock(plenty), { onHand: 10, reserved: 0 }, 'nothing taken for a refused order');

  const fits = randomUUID();
  const accepted = await reserve(fits, [
    { productId: plenty, quantity: 2 },
    { productId: scarce, quantity: 1 },
  ]);
  assert.equal(accepted.type, 'inventory.stock.reserved');
  assert.equal(accepted.causationid !== undefined, true, 'a reply names the command that caused it');
  assert.deepEqual(await h.stock(plenty), { onHand: 10, reserved: 2 });
  assert.deepEqual(await h.stock(scarce), { onHand: 1, reserved: 1 });

  await h.probe.send('inventory.release-stock', { orderId: fits, reason: 'payment declined' }, fits);
  await replyFor(h.probe, 'inventory.stock.released', fits);
  assert.deepEqual(await h.stock(plenty), { onHand: 10, reserved: 0 }, 'a release gives reserved stock back');
});

test('inventory - twenty buyers of ten units at once: exactly ten get one, ten wait in line, stock never negative', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const operations = stockOperations({ lowStockThreshold: 0, log: h.service.log as Logger });
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      withTransaction(h.db, (client) =>
        operations.reserveStock(
          { query: client.query.bind(client), publish: async (message) => createEnvelope('test', message) },
          { orderId: randomUUID(), lines: [{ productId, quantity: 1 }], expiresAt: inAMinute() },
        ),
      ),
    ),
  );
  assert.equal(answers.filter((answer) => answer.outcome === 'reserved').length, 10);
  assert.equal(answers.filter((answer) => answer.outcome === 'waiting').length, 10);
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 10 });
});

test('inventory - twenty reserve commands over the bus for ten units: ten reserved, ten waiting', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const orders = Array.from({ length: 20 }, () => randomUUID());
  await Promise.all(
    orders.map((orderId) =>
      h.probe.send(
        'inventory.reserve-stock',
        { orderId, lines: [{ productId, quantity: 1 }], expiresAt: inAMinute() },
        orderId,
      ),
    ),
  );
  const replies = await Promise.all(
    orders.map((orderId) => h.probe.next((e) => e.subject === orderId && FIRST_ANSWERS.includes(e.type))),
  );
  assert.equal(replies.filter((reply) => reply.type === 'inventory.stock.reserved').length, 10);
  assert.equal(replies.filter((reply) => reply.type === 'inventory.stock.waiting').length, 10);
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 10 });
});

test('inventory - a unit given back goes to the first in line, answered as a reply to its command; once sold out, the line is refused', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 2);
  const [first, second, third, fourth, fifth] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  const one = [{ productId, quantity: 1 }];
  assert.equal((await reserve(first, one)).type, 'inventory.stock.reserved');
  assert.equal((await reserve(second, one)).type, 'inventory.stock.reserved');
  const waiting = await reserve(third, one);
  assert.equal(waiting.type, 'inventory.stock.waiting');
  assert.equal((waiting.data as { until: string }).until.length > 0, true);
  assert.equal((await reserve(fourth, one)).type, 'inventory.stock.waiting');
  assert.equal(
    (await reserve(fifth, [{ productId, quantity: 3 }])).type,
    'inventory.stock.reservation-failed',
  );

  // The first buyer's payment fails: its unit goes to the third, not back on the shelf.
  await h.probe.send('inventory.release-stock', { orderId: first, reason: 'card declined' }, first);
  const served = await finalAnswer(third);
  assert.equal(served.type, 'inventory.stock.reserved');
  assert.equal(served.causationid, waiting.command.id, 'the saga matches it to its reserve command');
  assert.deepEqual(await h.stock(productId), { onHand: 2, reserved: 2 });

  // Both units are sold: the fourth can no longer be served.
  for (const orderId of [second, third]) {
    await h.probe.send('inventory.commit-stock', { orderId }, orderId);
    await replyFor(h.probe, 'inventory.stock.committed', orderId);
  }
  const refused = await finalAnswer(fourth);
  assert.equal(refused.type, 'inventory.stock.reservation-failed');
  assert.deepEqual(refused.data, {
    orderId: fourth,
    reason: 'insufficient stock',
    shortages: [{ productId, requested: 1, available: 0 }],
  });
  assert.deepEqual(await h.stock(productId), { onHand: 0, reserved: 0 });
});

test('inventory - an order in line leaves it when released, is refused when it waited too long, and is served by a restock', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 1);
  const [holder, leaves, lapses, restocked] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const one = [{ productId, quantity: 1 }];
  assert.equal((await reserve(holder, one)).type, 'inventory.stock.reserved');
  assert.equal((await reserve(leaves, one)).type, 'inventory.stock.waiting');
  const soon = new Date(Date.now() + 300).toISOString();
  assert.equal((await reserve(lapses, one, soon)).type, 'inventory.stock.waiting');
  assert.equal((await reserve(restocked, one)).type, 'inventory.stock.waiting');

  await h.probe.send('inventory.release-stock', { orderId: leaves, reason: 'saga deadline' }, leaves);
  await replyFor(h.probe, 'inventory.stock.released', leaves);
  const lapsed = await finalAnswer(lapses);
  assert.deepEqual(lapsed.data, { orderId: lapses, reason: 'no stock came free in time', shortages: [] });
  assert.deepEqual(await h.stock(productId), { onHand: 1, reserved: 1 }, 'nothing moved for those two');

  // The administrator restocks: the line is served from the new units.
  const response = await fetch(`${h.base}/api/v1/inventory/${productId}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await h.issuer.token(['admin'])}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ onHand: 2 }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { productId, onHand: 2, reserved: 2, available: 0 });
  assert.equal((await finalAnswer(restocked)).type, 'inventory.stock.reserved');
  assert.equal(heardFor(h.probe, leaves, REPLIES).length, 0, 'who left the line gets no answer');
});

test('inventory - the same reserve command twice (new event ids) reserves once and answers the same', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const orderId = randomUUID();
  const command = { orderId, lines: [{ productId, quantity: 3 }], expiresAt: inAMinute() };
  await Promise.all([
    h.probe.send('inventory.reserve-stock', command, orderId),
    h.probe.send('inventory.reserve-stock', command, orderId),
  ]);
  const replies = await eventually(() => {
    const heard = heardFor(h.probe, orderId, REPLIES);
    return heard.length === 2 && heard;
  }, 'two replies');
  assert.deepEqual(replies[0]?.data, replies[1]?.data);
  assert.equal(replies[0]?.type, 'inventory.stock.reserved');
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 3 });
});

test('inventory - a release that arrives before the reserve leaves a tombstone; the late reserve is refused', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const orderId = randomUUID();
  await h.probe.send('inventory.release-stock', { orderId, reason: 'saga deadline' }, orderId);
  const released = await replyFor(h.probe, 'inventory.stock.released', orderId);
  assert.deepEqual(released.data, { orderId, reason: 'saga deadline' });

  const late = await reserve(orderId, [{ productId, quantity: 1 }]);
  assert.equal(late.type, 'inventory.stock.reservation-failed');
  assert.equal((late.data as { reason: string }).reason, 'order cancelled');
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 0 });
});

test('inventory - commit takes stock off the shelf once; a release after commit puts it back', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const orderId = randomUUID();
  assert.equal((await reserve(orderId, [{ productId, quantity: 3 }])).type, 'inventory.stock.reserved');

  for (let i = 0; i < 2; i++) {
    await h.probe.send('inventory.commit-stock', { orderId }, orderId);
    await eventually(
      () => heardFor(h.probe, orderId, ['inventory.stock.committed']).length === i + 1,
      `commit reply ${i + 1}`,
    );
    assert.deepEqual(
      await h.stock(productId),
      { onHand: 7, reserved: 0 },
      'a repeated commit changes nothing',
    );
  }
  for (let i = 0; i < 2; i++) {
    await h.probe.send('inventory.release-stock', { orderId, reason: 'returned' }, orderId);
    await eventually(
      () => heardFor(h.probe, orderId, ['inventory.stock.released']).length === i + 1,
      `release reply ${i + 1}`,
    );
    assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 0 }, 'restocked once');
  }
});

test('inventory - a lapsed reservation expires, its stock returns, and a late commit takes the stock again', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const orderId = randomUUID();
  const soon = new Date(Date.now() + 200).toISOString();
  assert.equal((await reserve(orderId, [{ productId, quantity: 4 }], soon)).type, 'inventory.stock.reserved');

  const released = await replyFor(h.probe, 'inventory.stock.released', orderId);
  assert.deepEqual(released.data, { orderId, reason: 'expired' });
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 0 });

  await h.probe.send('inventory.commit-stock', { orderId }, orderId);
  await replyFor(h.probe, 'inventory.stock.committed', orderId);
  assert.deepEqual(await h.stock(productId), { onHand: 6, reserved: 0 });
});

test('inventory - low stock is announced once, when availability first drops below the threshold', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 8);
  for (const quantity of [2, 2, 1]) {
    // available: 8 → 6 → 4 (crosses 5) → 3
    assert.equal((await reserve(randomUUID(), [{ productId, quantity }])).type, 'inventory.stock.reserved');
  }
  const low = await h.probe.next((e) => e.type === 'inventory.stock.low' && e.subject === productId);
  assert.deepEqual(low.data, { productId, available: 4, threshold: 5 });
  assert.equal(await h.outboxCount('inventory.stock.low', productId), 1);
});

test('inventory - sweepers running side by side expire each lapsed reservation exactly once', async () => {
  const productId = randomUUID();
  const orders = Array.from({ length: 60 }, () => randomUUID());
  await h.setStock(productId, 100);
  // Lapsed reservations written in one go, so the service's own sweeper races the two below.
  await h.db.query(
    `WITH placed AS (
       INSERT INTO reservations (order_id, status, lines, expires_at)
       SELECT id, 'RESERVED', jsonb_build_array(jsonb_build_object('productId', $2::text, 'quantity', 1)),
              now() - interval '1 second'
       FROM unnest($1::uuid[]) AS id RETURNING 1)
     UPDATE stock SET reserved = (SELECT count(*) FROM placed) WHERE product_id = $2::uuid`,
    [orders, productId],
  );
  const operations = stockOperations({ lowStockThreshold: 0, log: h.service.log as Logger });
  const sweep = () =>
    withTransaction(h.db, (client) =>
      operations.expireDue(
        { query: client.query.bind(client), publish: async (message) => createEnvelope('test', message) },
        25,
      ),
    );
  await Promise.all([sweep(), sweep()]);
  await eventually(async () => (await h.stock(productId))?.reserved === 0, 'every reservation to expire');
  const { rows } = await h.db.query<{ status: string; count: number }>(
    'SELECT status, count(*) AS count FROM reservations WHERE order_id = ANY($1::uuid[]) GROUP BY status',
    [orders],
  );
  assert.deepEqual(rows, [{ status: 'EXPIRED', count: 60 }]);
  assert.deepEqual(await h.stock(productId), { onHand: 100, reserved: 0 });
});

test('inventory - a batch locks every stock row its events may move, and its line’s, in one statement before any handler runs, so batches queue instead of deadlocking', async () => {
  const [named, held, scarce, inLine, untouched] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  for (const productId of [named, held, inLine, untouched]) await h.setStock(productId, 5);
  await h.setStock(scarce, 1);
  const holder = randomUUID();
  const answer = await reserve(holder, [
    { productId: held, quantity: 1 },
    { productId: scarce, quantity: 1 },
  ]);
  assert.equal(answer.type, 'inventory.stock.reserved');
  // Waits for the scarce unit the holder has: its other product is in the holder's line.
  const waiter = await reserve(randomUUID(), [
    { productId: scarce, quantity: 1 },
    { productId: inLine, quantity: 1 },
  ]);
  assert.equal(waiter.type, 'inventory.stock.waiting');
  const operations = stockOperations({ lowStockThreshold: 0, log: h.service.log as Logger });
  const lockedElsewhere = async (productId: string) => {
    const other = await h.db.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM stock WHERE product_id = $1 FOR UPDATE NOWAIT', [productId]);
      return false;
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') return true;
      throw error;
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
  };
  let statements = 0;
  const seen = await withTransaction(h.db, async (client) => {
    const tx = {
      query: ((...args: Parameters<typeof client.query>) => {
        statements++;
        return client.query(...args);
      }) as typeof client.query,
      publish: async (message: never) => createEnvelope('test', message),
    };
    // A reserve naming `named` and a commit for the order that holds `held` and `scarce`.
    await operations.lockForBatch(tx, { products: [named], orders: [holder] });
    return {
      named: await lockedElsewhere(named),
      held: await lockedElsewhere(held),
      scarce: await lockedElsewhere(scarce),
      inLine: await lockedElsewhere(inLine),
      untouched: await lockedElsewhere(untouched),
    };
  });
  assert.deepEqual(seen, { named: true, held: true, scarce: true, inLine: true, untouched: false });
  assert.equal(statements, 1, 'one statement');
});
