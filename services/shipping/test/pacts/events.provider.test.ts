// Shipping's messages against every consuming group's pact: the real shipping service
// (its test harness, orchestration, the simulated carrier at 200 ms a step) is sent the
// saga's commands so that its outbox holds each type: a parcel booked, shipped, refused
// a late cancel and delivered; a booking refused for an undeliverable postal code; a
// cancel before any booking (its tombstone). Each pact's message is checked against the
// newest event of its type in shipping's outbox.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Envelope } from '@platform/chassis';
import { producedData, verifyMessagePacts } from '@platform/testkit/pact';
import { type Harness, scheduleCommand, startHarness } from '../harness.ts';

let h: Harness;

const heard = (type: string, orderId: string) =>
  h.probe.next((event) => event.type === type && event.subject === orderId, 15_000);

/** Sends the saga's command and waits for shipping's answer, which must be `answer`. */
async function asks(sent: Promise<Envelope>, answer: string): Promise<void> {
  const command = await sent;
  const reply = await h.probe.next((event) => event.causationid === command.id);
  assert.equal(reply.type, answer);
}

before(async () => {
  h = await startHarness('shipping_events_pacts', { SHIPPING_STEP_MS: '200' });
  const travelled = randomUUID();
  await asks(
    h.probe.send('shipping.schedule-shipment', scheduleCommand(travelled), travelled),
    'shipping.scheduled',
  );
  await heard('shipping.shipped', travelled);
  const late = { orderId: travelled, reason: 'too late' };
  await asks(h.probe.send('shipping.cancel-shipment', late, travelled), 'shipping.cancel-refused');
  await heard('shipping.delivered', travelled);
  const nowhere = randomUUID();
  const undeliverable = scheduleCommand(nowhere, { postalCode: '00000' });
  await asks(h.probe.send('shipping.schedule-shipment', undeliverable, nowhere), 'shipping.failed');
  const unbooked = randomUUID();
  const cancel = { orderId: unbooked, reason: 'changed my mind' };
  await asks(h.probe.send('shipping.cancel-shipment', cancel, unbooked), 'shipping.cancelled');
});
after(() => h.close());

test("shipping's messages keep every consuming group's pact", async () => {
  const groups = await verifyMessagePacts('shipping', (type) => producedData(h.database.url, type));
  for (const group of [
    'order-saga',
    'order-choreography',
    'order-tracking',
    'inventory-choreography',
    'payment-choreography',
    'notification',
  ]) {
    assert.ok(groups.includes(group), `verified the pacts of ${groups.join(', ')}, not ${group}'s`);
  }
});
