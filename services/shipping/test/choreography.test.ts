import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Envelope, Queryable } from '@platform/chassis';
import type { EventData } from '@platform/contracts';
import pg from 'pg';
import { notePendingFact } from '../src/pending-orders.ts';
import { address, eventually, type Harness, heardFor, startHarness } from './harness.ts';

// Choreography: no saga; shipping listens to the order, inventory and payment facts.

let h: Harness;

before(async () => {
  h = await startHarness('shipping_choreography', { SAGA_MODE: 'choreography', SHIPPING_STEP_MS: '60000' });
});
after(() => h.close());

type Fact = 'order.created' | 'inventory.stock.reserved' | 'payment.authorized';

function orderCreated(orderId: string, postalCode = '10115'): EventData<'order.created'> {
  return {
    orderId,
    userId: randomUUID(),
    items: [
      {
        productId: randomUUID(),
        sku: 'HOM-LAMP-01',
        name: 'Lamp',
        quantity: 2,
        unitPrice: { amount: 2_500, currency: 'EUR' },
        weightGrams: 700,
      },
    ],
    totals: { subtotal: 5_000, tax: 950, shipping: 1_474, total: 7_424, currency: 'EUR' },
    shippingAddress: address(postalCode),
    paymentMethodId: 'pm_card_visa',
    placedAt: new Date().toISOString(),
  };
}

function publishFact(fact: Fact, orderId: string, postalCode?: string): Promise<Envelope> {
  if (fact === 'order.created') return h.probe.publish(fact, orderCreated(orderId, postalCode), orderId);
  if (fact === 'inventory.stock.reserved') {
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    return h.probe.publish(
      fact,
      { orderId, lines: [{ productId: randomUUID(), quantity: 2 }], expiresAt },
      orderId,
    );
  }
  const amount = { amount: 7_424, currency: 'EUR' };
  return h.probe.publish(fact, { orderId, paymentId: randomUUID(), amount }, orderId);
}

/** Waits until shipping has handled (committed) the event. */
async function handled(event: Envelope): Promise<void> {
  await eventually(async () => {
    const rows = await h.query('SELECT 1 FROM inbox WHERE group_name = $1 AND event_id = $2', [
      'shipping-choreography',
      event.id,
    ]);
    return rows.length > 0;
  });
}

/** Publishes the fact and waits until shipping has taken it in, so arrivals happen in this order. */
async function arrive(fact: Fact, orderId: string): Promise<void> {
  await handled(await publishFact(fact, orderId));
}

async function shipmentCount(orderId: string): Promise<number> {
  const [row] = await h.query<{ n: number }>('SELECT count(*)::int AS n FROM shipments WHERE order_id = $1', [
    orderId,
  ]);
  return row?.n ?? 0;
}

const facts: Fact[] = ['order.created', 'inventory.stock.reserved', 'payment.authorized'];
const orderings: Fact[][] = facts.flatMap((first) =>
  facts
    .filter((second) => second !== first)
    .map((second) => [first, second, ...facts.filter((third) => third !== first && third !== second)]),
);

test('choreography - in every order of arrival, the third fact schedules the shipment exactly once', async () => {
  assert.equal(orderings.length, 6);
  const orders = await Promise.all(
    orderings.map(async (ordering) => {
      const orderId = randomUUID();
      for (const fact of ordering) {
        assert.deepEqual(heardFor(h.probe, orderId), [], `nothing is scheduled before ${fact}`);
        await arrive(fact, orderId);
      }
      return orderId;
    }),
  );
  for (const orderId of orders) {
    await h.probe.next((event) => event.type === 'shipping.scheduled' && event.subject === orderId);
  }
  for (const orderId of orders) {
    assert.deepEqual(heardFor(h.probe, orderId), ['shipping.scheduled']);
    assert.equal(await shipmentCount(orderId), 1);
  }
});

test('choreography - the three facts arriving at once schedule the shipment once', async () => {
  const orderIds = Array.from({ length: 5 }, () => randomUUID());
  await Promise.all(orderIds.flatMap((orderId) => facts.map((fact) => publishFact(fact, orderId))));
  for (const orderId of orderIds) {
    await h.probe.next((event) => event.type === 'shipping.scheduled' && event.subject === orderId);
  }
  // A repeated fact (a new event id) after scheduling changes nothing.
  await arrive('payment.authorized', orderIds[0] ?? '');
  for (const orderId of orderIds) {
    assert.equal(await shipmentCount(orderId), 1);
    assert.deepEqual(heardFor(h.probe, orderId), ['shipping.scheduled']);
  }
});

test('choreography - a failure fact first leaves a tombstone: the other facts arriving late schedule nothing', async () => {
  const orderId = randomUUID();
  await arrive('order.created', orderId);
  await h.probe.publish(
    'inventory.stock.reservation-failed',
    { orderId, reason: 'out of stock', shortages: [{ productId: randomUUID(), requested: 2, available: 0 }] },
    orderId,
  );
  const cancelled = await h.probe.next(
    (event) => event.type === 'shipping.cancelled' && event.subject === orderId,
  );
  assert.deepEqual(cancelled.data, { orderId }, 'nothing to cancel, only a tombstone');
  await arrive('payment.authorized', orderId);
  await arrive('inventory.stock.reserved', orderId);
  const failed = await h.probe.next((event) => event.type === 'shipping.failed' && event.subject === orderId);
  assert.deepEqual(failed.data, { orderId, reason: 'order cancelled' });
  assert.equal(await shipmentCount(orderId), 0);
});

test('choreography - a cancel asked after scheduling cancels the shipment; an order timed out before is refused', async () => {
  const shipped = randomUUID();
  for (const fact of facts) await publishFact(fact, shipped);
  const scheduled = await h.probe.next(
    (event) => event.type === 'shipping.scheduled' && event.subject === shipped,
  );
  const { shipmentId } = scheduled.data as { shipmentId: string };
  await h.probe.publish(
    'order.cancel-requested',
    { orderId: shipped, userId: randomUUID(), reason: 'changed mind' },
    shipped,
  );
  const cancelled = await h.probe.next(
    (event) => event.type === 'shipping.cancelled' && event.subject === shipped,
  );
  assert.deepEqual(cancelled.data, { orderId: shipped, shipmentId });

  const timedOut = randomUUID();
  await h.probe.publish(
    'order.timed-out',
    { orderId: timedOut, userId: randomUUID(), step: 'payment' },
    timedOut,
  );
  await h.probe.next((event) => event.type === 'shipping.cancelled' && event.subject === timedOut);
  for (const fact of facts) await arrive(fact, timedOut);
  await h.probe.next((event) => event.type === 'shipping.failed' && event.subject === timedOut);
  assert.equal(await shipmentCount(timedOut), 0);
});

test('choreography - an undeliverable address fails shipping once all facts are in', async () => {
  const orderId = randomUUID();
  await publishFact('order.created', orderId, '00000');
  await publishFact('inventory.stock.reserved', orderId);
  await publishFact('payment.authorized', orderId);
  const failed = await h.probe.next((event) => event.type === 'shipping.failed' && event.subject === orderId);
  assert.match((failed.data as { reason: string }).reason, /00000/);
  assert.equal(await shipmentCount(orderId), 0);
});

test('choreography - each fact is recorded in one statement, and the last of the three sees the other two', async () => {
  const client = new pg.Client({ connectionString: h.database.url });
  await client.connect();
  let statements = 0;
  const counting = {
    query: ((...args: Parameters<typeof client.query>) => {
      statements++;
      return client.query(...args);
    }) as typeof client.query,
  } as unknown as Queryable;
  try {
    const orderId = randomUUID();
    const details = { userId: randomUUID(), address: address('10115'), lines: [] };
    const stock = await notePendingFact(counting, orderId, 'stock');
    assert.deepEqual(
      { ...stock, details: stock.details === undefined },
      { orderCreated: false, stockReserved: true, paymentAuthorized: false, settled: false, details: true },
    );
    await notePendingFact(counting, orderId, 'payment');
    const last = await notePendingFact(counting, orderId, 'order', details);
    assert.deepEqual(last, {
      orderCreated: true,
      stockReserved: true,
      paymentAuthorized: true,
      settled: false,
      details,
    });
    assert.equal(statements, 3, 'one statement a fact');
  } finally {
    await client.end();
  }
});
