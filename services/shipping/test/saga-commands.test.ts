import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Envelope } from '@platform/chassis';
import { type Harness, heardFor, scheduleCommand, startHarness } from './harness.ts';

// Orchestration: the saga's commands and their replies. The carrier is slow here
// (a minute per step), so nothing is dispatched while these tests run.

let h: Harness;

before(async () => {
  h = await startHarness('shipping_commands', { SHIPPING_STEP_MS: '60000' });
});
after(() => h.close());

const replyTo = (command: Envelope, type: string) =>
  h.probe.next((event) => event.type === type && event.causationid === command.id);

async function shipmentsOf(orderId: string) {
  return h.query<{ id: string; status: string; tracking_number: string; next_step_at: Date | null }>(
    'SELECT id, status, tracking_number, next_step_at FROM shipments WHERE order_id = $1',
    [orderId],
  );
}

async function historyOf(shipmentId: string): Promise<string[]> {
  const rows = await h.query<{ status: string }>(
    'SELECT status FROM shipment_history WHERE shipment_id = $1 ORDER BY id',
    [shipmentId],
  );
  return rows.map((row) => row.status);
}

test('shipping commands - schedule books a shipment with a tracking number and replies scheduled', async () => {
  const orderId = randomUUID();
  const command = await h.probe.send('shipping.schedule-shipment', scheduleCommand(orderId), orderId);
  const reply = await replyTo(command, 'shipping.scheduled');
  assert.equal(reply.subject, orderId);
  const data = reply.data as { shipmentId: string; trackingNumber: string; orderId: string };
  assert.equal(data.orderId, orderId);
  assert.match(data.trackingNumber, /^TRK\d{10}$/);
  const [shipment] = await shipmentsOf(orderId);
  assert.equal(shipment?.id, data.shipmentId);
  assert.equal(shipment?.status, 'SCHEDULED');
  assert.ok(shipment?.next_step_at, 'the carrier has a dispatch time for it');
  assert.deepEqual(await historyOf(data.shipmentId), ['SCHEDULED']);
});

test('shipping commands - an undeliverable postal code fails the schedule and books nothing', async () => {
  const orderId = randomUUID();
  const command = await h.probe.send(
    'shipping.schedule-shipment',
    scheduleCommand(orderId, { postalCode: '00000' }),
    orderId,
  );
  const reply = await replyTo(command, 'shipping.failed');
  assert.match((reply.data as { reason: string }).reason, /00000/);
  assert.deepEqual(await shipmentsOf(orderId), []);
});

test('shipping commands - a repeated schedule (even concurrent) books one shipment and repeats the reply', async () => {
  const orderId = randomUUID();
  const data = scheduleCommand(orderId);
  const commands = await Promise.all([
    h.probe.send('shipping.schedule-shipment', data, orderId),
    h.probe.send('shipping.schedule-shipment', data, orderId),
  ]);
  const replies = await Promise.all(commands.map((command) => replyTo(command, 'shipping.scheduled')));
  const late = await h.probe.send('shipping.schedule-shipment', data, orderId);
  replies.push(await replyTo(late, 'shipping.scheduled'));
  const [first, ...others] = replies.map((reply) => reply.data);
  for (const other of others) assert.deepEqual(other, first, 'every reply names the same shipment');
  const shipments = await shipmentsOf(orderId);
  assert.equal(shipments.length, 1);
  assert.deepEqual(await historyOf(shipments[0]?.id ?? ''), ['SCHEDULED']);
});

test('shipping commands - cancel before dispatch cancels; cancelling again gives the same reply', async () => {
  const orderId = randomUUID();
  const schedule = await h.probe.send('shipping.schedule-shipment', scheduleCommand(orderId), orderId);
  const { shipmentId } = (await replyTo(schedule, 'shipping.scheduled')).data as { shipmentId: string };
  const cancel = await h.probe.send(
    'shipping.cancel-shipment',
    { orderId, reason: 'payment voided' },
    orderId,
  );
  assert.deepEqual((await replyTo(cancel, 'shipping.cancelled')).data, { orderId, shipmentId });
  const again = await h.probe.send('shipping.cancel-shipment', { orderId, reason: 'deadline' }, orderId);
  assert.deepEqual((await replyTo(again, 'shipping.cancelled')).data, { orderId, shipmentId });
  const [shipment] = await shipmentsOf(orderId);
  assert.equal(shipment?.status, 'CANCELLED');
  assert.equal(shipment?.next_step_at, null, 'the carrier will not pick it up');
  assert.deepEqual(await historyOf(shipmentId), ['SCHEDULED', 'CANCELLED']);

  const resent = await h.probe.send('shipping.schedule-shipment', scheduleCommand(orderId), orderId);
  assert.deepEqual((await replyTo(resent, 'shipping.failed')).data, { orderId, reason: 'order cancelled' });
});

test('shipping commands - a cancel before the schedule leaves a tombstone: the late schedule is refused', async () => {
  const orderId = randomUUID();
  const cancel = await h.probe.send(
    'shipping.cancel-shipment',
    { orderId, reason: 'saga timed out' },
    orderId,
  );
  assert.deepEqual((await replyTo(cancel, 'shipping.cancelled')).data, { orderId }, 'no shipment to name');
  const schedule = await h.probe.send('shipping.schedule-shipment', scheduleCommand(orderId), orderId);
  assert.deepEqual((await replyTo(schedule, 'shipping.failed')).data, { orderId, reason: 'order cancelled' });
  assert.deepEqual(await shipmentsOf(orderId), []);
  const tombstones = await h.query('SELECT reason FROM cancelled_orders WHERE order_id = $1', [orderId]);
  assert.deepEqual(tombstones, [{ reason: 'saga timed out' }]);
  assert.deepEqual(
    heardFor(h.probe, orderId).filter((type) => type === 'shipping.scheduled'),
    [],
    'nothing was ever scheduled',
  );
});

test('shipping commands - a cancel racing a schedule: either cancelled after booking, or the schedule refused', async () => {
  const orderId = randomUUID();
  const [schedule, cancel] = await Promise.all([
    h.probe.send('shipping.schedule-shipment', scheduleCommand(orderId), orderId),
    h.probe.send('shipping.cancel-shipment', { orderId, reason: 'race' }, orderId),
  ]);
  await replyTo(cancel, 'shipping.cancelled');
  const reply = await h.probe.next((event) => event.causationid === schedule.id);
  const shipments = await shipmentsOf(orderId);
  if (reply.type === 'shipping.failed') assert.deepEqual(shipments, []);
  else assert.equal(shipments[0]?.status, 'CANCELLED');
});
