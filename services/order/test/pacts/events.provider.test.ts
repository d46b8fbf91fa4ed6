// The order's messages against every consuming group's pact: its facts (order.*) and
// the orchestrated saga's commands. The real order service (test/harness.ts: a real
// catalog, a saga probe playing every participant) is driven through its API in each
// saga mode, so its outbox holds each type its consumers name: an order from the cart
// confirmed and delivered, one rejected on a declined card, one confirmed and then
// cancelled (every compensation asked); in choreography, a customer's cancel and a
// silent order that times out. Each pact's message is checked against the newest
// event of its type in the outbox of the mode that produces it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { EventType } from '@platform/contracts';
import { producedData, verifyMessagePacts } from '@platform/testkit/pact';
import { ADDRESS, CARD, type Harness, saying, startHarness } from '../harness.ts';

/** Choreography alone says these; the rest come from the orchestrated saga. */
const CHOREOGRAPHY_ONLY: EventType[] = ['order.timed-out', 'order.cancel-requested'];

let saga: Harness;
let choreography: Harness;

/** Hears the saga ask `command` of `orderId` and answers as the participant does. */
async function answer(command: EventType, reply: Parameters<typeof saying>[0], orderId: string) {
  const asked = await saga.command(command, orderId);
  await saga.probe.reply(asked, reply, saying(reply, orderId));
}

/** A declined card: the stock is released and the order rejected. */
async function rejected(): Promise<void> {
  const id = await saga.placeOne();
  await answer('inventory.reserve-stock', 'inventory.stock.reserved', id);
  await answer('payment.authorize', 'payment.failed', id);
  await answer('inventory.release-stock', 'inventory.stock.released', id);
  await saga.reaches(id, 'REJECTED');
}

/** Confirmed, then cancelled by its customer before the parcel left: every step undone. */
async function cancelledAfterConfirming(): Promise<void> {
  const id = await saga.placeOne();
  await saga.confirm(id);
  assert.equal((await saga.cancel(id, 'changed my mind')).status, 202);
  await answer('shipping.cancel-shipment', 'shipping.cancelled', id);
  const cancel = await saga.command('payment.cancel', id);
  const paid = { amount: 3_200, currency: 'USD' };
  const refund = {
    orderId: id,
    paymentId: randomUUID(),
    refundId: randomUUID(),
    amount: paid,
    refundedTotal: paid,
  };
  await saga.probe.reply(cancel, 'payment.refunded', refund);
  await answer('inventory.release-stock', 'inventory.stock.released', id);
  await saga.reaches(id, 'CANCELLED');
}

/** Placed from its customer's cart (the cart empties on it), confirmed, shipped and delivered. */
async function deliveredFromCart(): Promise<void> {
  const [product] = await saga.products(1_250);
  assert.ok(product);
  const customer = randomUUID();
  const price = { amount: 1_250, currency: 'USD' };
  saga.peers.carts.set(customer, [
    { productId: product.id, sku: 's', name: 'n', quantity: 1, unitPrice: price, lineTotal: price },
  ]);
  const placed = await saga.place(
    { shippingAddress: ADDRESS, payment: CARD },
    { token: await saga.token(customer) },
  );
  assert.equal(placed.status, 202);
  const id = (placed.body as { id: string }).id;
  await saga.confirm(id);
  for (const news of ['shipping.shipped', 'shipping.delivered'] as const) {
    await saga.probe.publish(news, saying(news, id), id);
  }
  await saga.reaches(id, 'DELIVERED');
}

before(async () => {
  saga = await startHarness('order_events_pacts');
  choreography = await startHarness('order_events_pacts_chor', {
    SAGA_MODE: 'choreography',
    SAGA_STEP_TIMEOUT_MS: '1000',
  });
  // Choreography: a customer's cancel is asked of shipping first; a silent order times out.
  const cancelling = await choreography.placeOne();
  assert.equal((await choreography.cancel(cancelling, 'changed my mind')).status, 202);
  const silent = await choreography.placeOne();
  const said = (type: EventType, id: string) =>
    choreography.probe.next((event) => event.type === type && event.subject === id, 30_000);
  await said('order.cancel-requested', cancelling);
  await said('order.timed-out', silent);
  await rejected();
  await cancelledAfterConfirming();
  // Last: the newest order.created is one from a cart.
  await deliveredFromCart();
});
after(async () => {
  await saga?.close();
  await choreography?.close();
});

test("the order's facts and commands keep every consuming group's pact", async () => {
  const groups = await verifyMessagePacts('order', (type) => {
    const producer = CHOREOGRAPHY_ONLY.includes(type as EventType) ? choreography : saga;
    return producedData(producer.database.url, type);
  });
  for (const group of [
    'cart-orders',
    'inventory-commands',
    'inventory-choreography',
    'payment-commands',
    'payment-choreography',
    'shipping-commands',
    'shipping-choreography',
    'notification',
    'analytics-projection',
  ]) {
    assert.ok(groups.includes(group), `verified the pacts of ${groups.join(', ')}, not ${group}'s`);
  }
});
