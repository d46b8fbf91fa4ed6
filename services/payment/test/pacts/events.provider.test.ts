// Payment's answers against every consuming group's pact: the real payment service
// (its test harness, orchestration, the simulated card processor) is sent the saga's
// commands so that its outbox holds each answer: a payment authorized, captured and
// refunded, one authorized and voided, and a declined card. Each pact's message is
// checked against the newest event of its type in payment's outbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Envelope } from '@platform/chassis';
import { producedData, verifyMessagePacts } from '@platform/testkit/pact';
import { authorizeCommand, CARDS, type Harness, startHarness } from '../harness.ts';

let h: Harness;

/** Sends the saga's command and waits for payment's answer, which must be `answer`. */
async function asks(sent: Promise<Envelope>, answer: string): Promise<void> {
  const reply = await h.replyTo(await sent);
  assert.equal(reply.type, answer);
}

before(async () => {
  h = await startHarness('payment_events_pacts');
  const approving = await h.paymentMethod(CARDS.approves);
  const refunded = authorizeCommand(approving);
  await asks(h.probe.send('payment.authorize', refunded, refunded.orderId), 'payment.authorized');
  const { orderId } = refunded;
  await asks(h.probe.send('payment.capture', { orderId }, orderId), 'payment.captured');
  await asks(h.probe.send('payment.cancel', { orderId, reason: 'cancelled' }, orderId), 'payment.refunded');
  const voided = authorizeCommand(approving);
  await asks(h.probe.send('payment.authorize', voided, voided.orderId), 'payment.authorized');
  const cancel = { orderId: voided.orderId, reason: 'cancelled' };
  await asks(h.probe.send('payment.cancel', cancel, voided.orderId), 'payment.voided');
  const declined = authorizeCommand(await h.paymentMethod(CARDS.declines));
  await asks(h.probe.send('payment.authorize', declined, declined.orderId), 'payment.failed');
});
after(() => h.close());

test("payment's answers keep every consuming group's pact", async () => {
  const groups = await verifyMessagePacts('payment', (type) => producedData(h.databaseUrl, type));
  for (const group of [
    'order-saga',
    'order-choreography',
    'inventory-choreography',
    'shipping-choreography',
    'notification',
    'analytics-projection',
  ]) {
    assert.ok(groups.includes(group), `verified the pacts of ${groups.join(', ')}, not ${group}'s`);
  }
});
