import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { shipping } from '@platform/contracts';
import { statementsDuring } from '@platform/testkit';
import { type Harness, heardFor, scheduleCommand, startHarness } from './harness.ts';

// The simulated carrier, fast (200 ms a step): its facts, their order, its history,
// several instances ticking at once, and timers that outlive a restart.

let h: Harness;

before(async () => {
  h = await startHarness('shipping_carrier', { SHIPPING_STEP_MS: '200' });
});
after(() => h.close());

// Every step up to delivery heard: the bus keeps order per type only, so the delivery
// can be heard before the step before it (a busy machine does it).
const CARRIER_STEPS = ['shipping.shipped', 'shipping.in-transit', 'shipping.delivered'];
const delivered = (orderId: string, probe = h.probe) =>
  Promise.all(
    CARRIER_STEPS.map((type) => probe.next((event) => event.type === type && event.subject === orderId)),
  );

async function schedule(orderId: string, userId = randomUUID()): Promise<string> {
  const command = await h.probe.send(
    'shipping.schedule-shipment',
    scheduleCommand(orderId, { userId }),
    orderId,
  );
  const reply = await h.probe.next(
    (event) => event.type === 'shipping.scheduled' && event.causationid === command.id,
  );
  return (reply.data as { shipmentId: string }).shipmentId;
}

test('carrier - a scheduled shipment is shipped, in transit, then delivered, in order, with its history', async () => {
  const orderId = randomUUID();
  const userId = randomUUID();
  const shipmentId = await schedule(orderId, userId);
  await delivered(orderId);
  assert.deepEqual(heardFor(h.probe, orderId), [
    'shipping.scheduled',
    'shipping.shipped',
    'shipping.in-transit',
    'shipping.delivered',
  ]);
  const facts = h.probe.heard().filter((event) => event.subject === orderId);
  for (const fact of facts.slice(1)) {
    const data = fact.data as { shipmentId: string; trackingNumber: string };
    assert.equal(data.shipmentId, shipmentId);
    assert.match(data.trackingNumber, /^TRK\d{10}$/);
  }

  const response = await fetch(`${h.base}/api/v1/shipments/${shipmentId}`, {
    headers: { authorization: `Bearer ${await h.issuer.token(['customer'], userId)}` },
  });
  const shipment = (await response.json()) as shipping.Shipment;
  assert.equal(shipment.status, 'DELIVERED');
  assert.deepEqual(
    shipment.history.map((entry) => entry.status),
    ['SCHEDULED', 'SHIPPED', 'IN_TRANSIT', 'DELIVERED'],
  );
  const times = shipment.history.map((entry) => Date.parse(entry.at));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    'history is in time order',
  );
  const [row] = await h.query('SELECT next_step_at FROM shipments WHERE id = $1', [shipmentId]);
  assert.deepEqual(row, { next_step_at: null }, 'the carrier is done with it');
});

test('carrier - shipments due together move on together: one statement a step for all of them', async () => {
  const orderIds = Array.from({ length: 4 }, () => randomUUID());
  const sent = await statementsDuring(async () => {
    // Scheduled in one transaction, so all four fall due at the same moment, step after step.
    await h.probe.sendAll(
      orderIds.map((orderId) => ({
        type: 'shipping.schedule-shipment' as const,
        data: scheduleCommand(orderId, { userId: randomUUID() }),
        orderId,
      })),
    );
    await Promise.all(orderIds.map((orderId) => delivered(orderId)));
  });
  // Every statement that moves a shipment, as the service sent it.
  const moves = sent
    .map(({ text }) => text)
    .filter((text) => /UPDATE shipments/.test(text) && /INSERT INTO shipment_history/.test(text));
  for (const orderId of orderIds) {
    assert.deepEqual(heardFor(h.probe, orderId).slice(1), CARRIER_STEPS, 'each step told once');
  }
  assert.ok(moves.length >= 3, `the moves were seen: ${moves.length} statements for three steps`);
  assert.ok(moves.length <= 3, `${moves.length} statements moved four shipments three steps each`);
});

test('carrier - a cancel after dispatch is refused and the parcel is still delivered', async () => {
  const orderId = randomUUID();
  const shipmentId = await schedule(orderId);
  await h.probe.next((event) => event.type === 'shipping.shipped' && event.subject === orderId);
  const cancel = await h.probe.send('shipping.cancel-shipment', { orderId, reason: 'too late' }, orderId);
  const refused = await h.probe.next((event) => event.causationid === cancel.id);
  assert.equal(refused.type, 'shipping.cancel-refused');
  assert.equal((refused.data as { shipmentId: string }).shipmentId, shipmentId);
  await delivered(orderId);
  assert.ok(!heardFor(h.probe, orderId).includes('shipping.cancelled'));
});

test('carrier - three instances tick together: every step of every shipment is published exactly once', async () => {
  const extra = await Promise.all([h.startInstance(), h.startInstance()]);
  try {
    const orders = Array.from({ length: 8 }, () => randomUUID());
    await Promise.all(orders.map((orderId) => schedule(orderId)));
    await Promise.all(orders.map((orderId) => delivered(orderId)));
    for (const orderId of orders) {
      assert.deepEqual(heardFor(h.probe, orderId), [
        'shipping.scheduled',
        'shipping.shipped',
        'shipping.in-transit',
        'shipping.delivered',
      ]);
    }
    const history = await h.query<{ steps: number }>(
      `SELECT count(*)::int AS steps FROM shipment_history h JOIN shipments s ON s.id = h.shipment_id
       WHERE s.order_id = ANY($1::uuid[])`,
      [orders],
    );
    assert.deepEqual(history, [{ steps: orders.length * 4 }]);
  } finally {
    await Promise.all(extra.map((service) => h.stopInstance(service)));
  }
});

test('carrier - its timers are in the database: a shipment scheduled before a restart is still delivered', async () => {
  // Its own databases, and a first instance whose carrier never ticks after starting:
  // the shipment is surely still in the warehouse when that instance stops.
  const r = await startHarness('shipping_restart', { SHIPPING_STEP_MS: '200', SHIPPING_TICK_MS: '600000' });
  try {
    const orderId = randomUUID();
    const command = await r.probe.send('shipping.schedule-shipment', scheduleCommand(orderId), orderId);
    const reply = await r.probe.next((event) => event.causationid === command.id);
    const { shipmentId } = reply.data as { shipmentId: string };
    await r.stopInstance(r.first);
    const [before] = await r.query('SELECT status FROM shipments WHERE id = $1', [shipmentId]);
    assert.deepEqual(before, { status: 'SCHEDULED' }, 'nothing moved while it ran');

    await r.startInstance({ SHIPPING_TICK_MS: '250' });
    await delivered(orderId, r.probe);
    assert.deepEqual(heardFor(r.probe, orderId), [
      'shipping.scheduled',
      'shipping.shipped',
      'shipping.in-transit',
      'shipping.delivered',
    ]);
  } finally {
    await r.close();
  }
});
