// Choreography's I/O against a real database and bus: the probe publishes the
// participants' facts; the order follows them and speaks for itself twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '@platform/testkit';
import { type Harness, saying, startHarness } from './harness.ts';

let harness: Harness;
before(async () => {
  harness = await startHarness('order_choreo', { SAGA_MODE: 'choreography' });
});
after(() => harness?.close());

test('choreography - the order follows the facts to CONFIRMED, sends no command, and tells the others', async () => {
  const id = await harness.placeOne();
  await harness.probe.next((e) => e.type === 'order.created' && e.subject === id);
  const [saga] = await harness.sql('SELECT mode, awaiting_command FROM sagas WHERE order_id = $1', [id]);
  assert.deepEqual(saga, { mode: 'choreography', awaiting_command: null });
  // Payment before stock: the order is PAYMENT_AUTHORIZED only once both are in.
  await harness.probe.publish('payment.authorized', saying('payment.authorized', id), id);
  await eventually(async () => (await harness.order(id)).version === 2);
  await harness.probe.publish('inventory.stock.reserved', saying('inventory.stock.reserved', id), id);
  await harness.reaches(id, 'PAYMENT_AUTHORIZED');
  for (const type of ['shipping.scheduled', 'payment.captured', 'inventory.stock.committed'] as const) {
    await harness.probe.publish(type, saying(type, id), id);
  }
  const confirmed = await harness.reaches(id, 'CONFIRMED');
  assert.equal(confirmed.timeline.find((entry) => entry.step === 'schedule-shipment')?.detail, 'TRK-1');
  await harness.probe.next((e) => e.type === 'order.confirmed' && e.subject === id);
  const [after] = await harness.sql('SELECT deadline_at FROM sagas WHERE order_id = $1', [id]);
  assert.deepEqual(after, { deadline_at: null }, 'past the pivot nothing is awaited');
  const commands = harness.probe.heard().filter((e) => e.subject === id && !e.type.startsWith('order.'));
  assert.deepEqual(commands, [], 'choreography asks nothing of anyone');
});

test('choreography - a cancel is announced to shipping first; the order is CANCELLED once shipping lets go', async () => {
  const id = await harness.placeOne();
  await harness.probe.publish('inventory.stock.reserved', saying('inventory.stock.reserved', id), id);
  await harness.reaches(id, 'STOCK_RESERVED');
  const response = await harness.cancel(id, 'changed my mind');
  assert.equal(response.status, 202);
  const asked = await harness.probe.next((e) => e.type === 'order.cancel-requested' && e.subject === id);
  assert.equal((asked.data as { reason: string }).reason, 'changed my mind');
  await harness.probe.publish('shipping.cancelled', saying('shipping.cancelled', id), id);
  const cancelled = await harness.reaches(id, 'CANCELLED');
  assert.equal(cancelled.reason, 'changed my mind');
  await harness.probe.next((e) => e.type === 'order.cancelled' && e.subject === id);
  // Payment and inventory undo on shipping's fact; their news completes the timeline.
  await harness.probe.publish('payment.voided', saying('payment.voided', id), id);
  await harness.probe.publish('inventory.stock.released', saying('inventory.stock.released', id), id);
  const undone = await eventually(async () => {
    const order = await harness.order(id);
    return order.timeline.some((entry) => entry.step === 'release-stock') ? order : undefined;
  });
  assert.equal(undone.status, 'CANCELLED');
  assert.equal(
    undone.timeline.some((entry) => entry.step === 'cancel-payment'),
    false,
    "no payment was authorized: a void for it is not the order's",
  );
});
