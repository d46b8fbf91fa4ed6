import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Envelope } from '@platform/chassis';
import { CARDS, type Harness, orderCreated, startHarness, unbalancedPayments } from './harness.ts';

let harness: Harness;

before(async () => {
  // A short lease, so a call whose taker "died" is taken again within a test.
  harness = await startHarness('payment_choreo', {
    SAGA_MODE: 'choreography',
    PAYMENT_CALL_LEASE_MS: '400',
    PAYMENT_CALL_POLL_MS: '50',
  });
});
after(async () => {
  await harness?.close();
});

type Data = Record<string, unknown>;

/** The payment fact published about `orderId` of `type`. */
const fact = (orderId: string, type: string): Promise<Envelope> =>
  harness.probe.next((event) => event.subject === orderId && event.type === type);

test('choreography - order.created authorizes the order total; shipping.scheduled captures it', async () => {
  const orderId = randomUUID();
  const method = await harness.paymentMethod(CARDS.approves);
  await harness.probe.publish('order.created', orderCreated(orderId, method, 12_500), orderId);
  const authorized = await fact(orderId, 'payment.authorized');
  assert.deepEqual((authorized.data as Data).amount, { amount: 12_500, currency: 'EUR' });

  await harness.probe.publish(
    'shipping.scheduled',
    { orderId, shipmentId: randomUUID(), trackingNumber: 'TRK1', at: new Date().toISOString() },
    orderId,
  );
  const captured = await fact(orderId, 'payment.captured');
  assert.deepEqual((captured.data as Data).amount, { amount: 12_500, currency: 'EUR' });
});

test('choreography - the taker died while the processor authorized: the call is made again after its lease, the fact published once', async () => {
  const orderId = randomUUID();
  const method = await harness.paymentMethod(CARDS.approves);
  const held = harness.processor.holdAnswer(`authorize:${orderId}`);
  await harness.probe.publish('order.created', orderCreated(orderId, method, 8_000), orderId);
  await held.reached;
  await fact(orderId, 'payment.authorized');
  held.release();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(await harness.published(orderId), ['payment.authorized']);
  const charges = harness.processor.actions().filter((action) => action.idempotencyKey === orderId);
  assert.equal(charges.length, 1);
});

test('choreography - a declined card publishes payment.failed', async () => {
  const orderId = randomUUID();
  const method = await harness.paymentMethod(CARDS.declines);
  await harness.probe.publish('order.created', orderCreated(orderId, method, 3_000), orderId);
  const failed = await fact(orderId, 'payment.failed');
  assert.equal((failed.data as Data).code, 'card_declined');
});

test('choreography - shipping.failed voids the authorization', async () => {
  const orderId = randomUUID();
  const method = await harness.paymentMethod(CARDS.approves);
  await harness.probe.publish('order.created', orderCreated(orderId, method, 4_000), orderId);
  await fact(orderId, 'payment.authorized');
  await harness.probe.publish('shipping.failed', { orderId, reason: 'no carrier' }, orderId);
  await fact(orderId, 'payment.voided');
});

test('choreography - stock that failed before order.created reached payment: nothing is authorized', async () => {
  const orderId = randomUUID();
  await harness.probe.publish(
    'inventory.stock.reservation-failed',
    { orderId, reason: 'out of stock', shortages: [] },
    orderId,
  );
  await fact(orderId, 'payment.voided');
  const method = await harness.paymentMethod(CARDS.approves);
  await harness.probe.publish('order.created', orderCreated(orderId, method, 2_000), orderId);
  const refused = await fact(orderId, 'payment.failed');
  assert.equal((refused.data as Data).code, 'cancelled');
  const ledger = await harness.sql(
    'SELECT l.id FROM ledger l JOIN payments p ON p.id = l.payment_id WHERE p.order_id = $1',
    [orderId],
  );
  assert.deepEqual(ledger, []);
});

test('choreography - a shipment cancelled after capture refunds; a second cancelling fact publishes nothing new', async () => {
  const orderId = randomUUID();
  const method = await harness.paymentMethod(CARDS.approves);
  await harness.probe.publish('order.created', orderCreated(orderId, method, 6_000), orderId);
  await fact(orderId, 'payment.authorized');
  await harness.probe.publish(
    'shipping.scheduled',
    { orderId, shipmentId: randomUUID(), trackingNumber: 'TRK2', at: new Date().toISOString() },
    orderId,
  );
  await fact(orderId, 'payment.captured');
  await harness.probe.publish('shipping.cancelled', { orderId, shipmentId: randomUUID() }, orderId);
  const refunded = await fact(orderId, 'payment.refunded');
  assert.deepEqual((refunded.data as Data).amount, { amount: 6_000, currency: 'EUR' });

  const again = await harness.probe.publish('shipping.failed', { orderId, reason: 'late failure' }, orderId);
  // Handled once the inbox has it; what it published is in the outbox of the same commit.
  await harness.handled(again.id);
  assert.deepEqual(await harness.published(orderId), [
    'payment.authorized',
    'payment.captured',
    'payment.refunded',
  ]);
  assert.deepEqual(await unbalancedPayments(harness), []);
});
