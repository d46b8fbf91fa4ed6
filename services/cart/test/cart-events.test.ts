import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { eventually, type Harness, orderCreated, startHarness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness('events');
});
after(async () => {
  await h.close();
});

const usd = (amount: number) => ({ amount, currency: 'USD' });

async function unitPrice(token: string, productId: string): Promise<number | undefined> {
  const { body } = await h.call('GET', '/api/v1/cart', { token });
  return body.items.find((item) => item.productId === productId)?.unitPrice.amount;
}

test('cart - a price change event updates the shown price and line total; an older event is ignored', async () => {
  const token = await h.userToken(randomUUID());
  const lamp = h.catalog.add({ price: usd(4_000), version: 3 });
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: lamp.id, quantity: 2 } });

  await h.probe.publish(
    'catalog.product.price-changed',
    { productId: lamp.id, previousPrice: usd(4_000), price: usd(3_500), version: 4 },
    lamp.id,
  );
  await eventually(async () => (await unitPrice(token, lamp.id)) === 3_500, 'the new price');
  const { body } = await h.call('GET', '/api/v1/cart', { token });
  assert.deepEqual(body.items[0]?.lineTotal, usd(7_000));
  assert.deepEqual(body.subtotal, usd(7_000));

  const stale = await h.probe.publish(
    'catalog.product.updated',
    { productId: lamp.id, sku: lamp.sku, name: 'Old name', price: usd(4_000), category: 'home', version: 3 },
    lamp.id,
  );
  await h.handled('cart-catalog', stale.id);
  const later = await h.call('GET', '/api/v1/cart', { token });
  assert.equal(
    later.body.items[0]?.unitPrice.amount,
    3_500,
    'a late, older update does not roll the price back',
  );
  assert.equal(later.body.items[0]?.name, lamp.name);

  const renamed = await h.probe.publish(
    'catalog.product.updated',
    { productId: lamp.id, sku: lamp.sku, name: 'Desk Lamp', price: usd(3_000), category: 'home', version: 5 },
    lamp.id,
  );
  await h.handled('cart-catalog', renamed.id);
  const latest = await h.call('GET', '/api/v1/cart', { token });
  assert.equal(latest.body.items[0]?.name, 'Desk Lamp');
  assert.equal(latest.body.items[0]?.unitPrice.amount, 3_000);
});

test('cart - a deleted product leaves every cart and cannot be added again from a stale lookup', async () => {
  const [alice, bob] = [await h.userToken(randomUUID()), await h.userToken(randomUUID())];
  const [gone, kept] = [h.catalog.add({ version: 2 }), h.catalog.add()];
  for (const token of [alice, bob]) {
    await h.call('POST', '/api/v1/cart/items', { token, body: { productId: gone.id, quantity: 1 } });
  }
  await h.call('POST', '/api/v1/cart/items', { token: alice, body: { productId: kept.id, quantity: 1 } });

  const deleted = await h.probe.publish(
    'catalog.product.deleted',
    { productId: gone.id, sku: gone.sku, version: 3 },
    gone.id,
  );
  await h.handled('cart-catalog', deleted.id);
  assert.deepEqual(
    (await h.call('GET', '/api/v1/cart', { token: alice })).body.items.map((item) => item.productId),
    [kept.id],
  );
  assert.deepEqual((await h.call('GET', '/api/v1/cart', { token: bob })).body.items, []);

  // The (fake) catalog still answers with the product, as a replica behind on the deletion would.
  const again = await h.call<{ code: string }>('POST', '/api/v1/cart/items', {
    token: bob,
    body: { productId: gone.id, quantity: 1 },
  });
  assert.equal(again.status, 422);
  assert.equal(again.body.code, 'UNKNOWN_PRODUCT');
});

async function checkedOutEvents(orderId: string): Promise<number> {
  const rows = await h.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbox WHERE type = 'cart.checked-out' AND envelope->>'subject' = $1`,
    [orderId],
  );
  return rows[0]?.n ?? 0;
}

test('cart - order.created from the cart empties it and publishes cart.checked-out once, even when it comes again', async () => {
  const userId = randomUUID();
  const token = await h.userToken(userId);
  const tea = h.catalog.add();
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: tea.id, quantity: 2 } });

  const order = orderCreated(userId, true);
  await h.probe.publish('order.created', order, order.orderId);
  const checkedOut = await h.probe.next(
    (event) => event.type === 'cart.checked-out' && event.subject === order.orderId,
  );
  assert.deepEqual(checkedOut.data, { userId, orderId: order.orderId });
  assert.deepEqual((await h.call('GET', '/api/v1/cart', { token })).body.items, []);

  // The shopper fills a new cart; the same order arriving again (a new event id) must not empty it.
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: tea.id, quantity: 1 } });
  const repeat = await h.probe.publish('order.created', order, order.orderId);
  await h.handled('cart-orders', repeat.id);
  assert.equal(await checkedOutEvents(order.orderId), 1);
  assert.equal((await h.call('GET', '/api/v1/cart', { token })).body.items.length, 1);
});

test('cart - an order not placed from the cart leaves the cart alone', async () => {
  const userId = randomUUID();
  const token = await h.userToken(userId);
  const pen = h.catalog.add();
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: pen.id, quantity: 1 } });
  for (const fromCart of [false, undefined]) {
    const order = orderCreated(userId, fromCart);
    const event = await h.probe.publish('order.created', order, order.orderId);
    await h.handled('cart-orders', event.id);
    assert.equal(await checkedOutEvents(order.orderId), 0);
  }
  assert.equal((await h.call('GET', '/api/v1/cart', { token })).body.items.length, 1);
});
