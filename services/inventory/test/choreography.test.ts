import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { staticDiscovery } from '@platform/chassis';
import { eventually, type Harness, heardFor, replyFor, startHarness } from './harness.ts';

// A stand-in catalog: two pages of products, and a first few requests that fail, as a
// catalog that is still starting would.
const catalogProducts = Array.from({ length: 150 }, () => randomUUID());
let catalogRequests = 0;
let catalog: Server;
let h: Harness;

function productPage(page: number, limit: number) {
  const data = catalogProducts.slice((page - 1) * limit, page * limit).map((id) => ({ id }));
  return {
    data,
    pagination: {
      page,
      limit,
      total: catalogProducts.length,
      totalPages: Math.ceil(catalogProducts.length / limit),
    },
    _links: { self: '', next: null, prev: null },
  };
}

before(async () => {
  catalog = createServer((request, response) => {
    catalogRequests++;
    const url = new URL(request.url ?? '/', 'http://catalog');
    response.setHeader('content-type', 'application/json');
    if (catalogRequests <= 3 || url.pathname !== '/api/v1/products') {
      response.statusCode = 503;
      response.end('{"title":"starting"}');
      return;
    }
    const page = Number(url.searchParams.get('page') ?? 1);
    response.end(JSON.stringify(productPage(page, Number(url.searchParams.get('limit') ?? 20))));
  });
  catalog.listen(0, '127.0.0.1');
  await once(catalog, 'listening');
  const port = (catalog.address() as { port: number }).port;
  h = await startHarness(
    'inventory_choreo',
    {
      SAGA_MODE: 'choreography',
      INVENTORY_SEED: 'true',
      INVENTORY_SEED_ON_HAND: '40',
      INVENTORY_SEED_RETRY_MS: '50',
    },
    { discovery: staticDiscovery({ catalog: [`http://127.0.0.1:${port}`] }) },
  );
});
after(async () => {
  await h.close();
  catalog.close();
});

function orderCreated(orderId: string, lines: Array<{ productId: string; quantity: number }>) {
  return {
    orderId,
    userId: randomUUID(),
    items: lines.map((line, index) => ({
      ...line,
      sku: `SKU-${index}`,
      name: `Item ${index}`,
      unitPrice: { amount: 1_000, currency: 'USD' },
      weightGrams: 200,
    })),
    totals: { subtotal: 1_000, tax: 0, shipping: 0, total: 1_000, currency: 'USD' },
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
    },
    paymentMethodId: 'pm_card_visa',
    placedAt: new Date().toISOString(),
  };
}

test('inventory - seeds every catalog product in the background, retrying until the catalog answers', async () => {
  const last = catalogProducts.at(-1) ?? '';
  const seeded = await eventually(() => h.stock(last), 'the last page to be seeded');
  assert.deepEqual(seeded, { onHand: 40, reserved: 0 });
  const { rows } = await h.db.query<{ count: number }>(
    'SELECT count(*) AS count FROM stock WHERE product_id = ANY($1::uuid[])',
    [catalogProducts],
  );
  assert.equal(rows[0]?.count, catalogProducts.length);
  assert.ok(catalogRequests > 3, 'the failing first answers were retried');
});

test('inventory - choreography: order.created reserves; payment.failed releases', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const orderId = randomUUID();
  await h.probe.publish('order.created', orderCreated(orderId, [{ productId, quantity: 4 }]), orderId);
  const reserved = await replyFor(h.probe, 'inventory.stock.reserved', orderId);
  assert.deepEqual((reserved.data as { lines: unknown }).lines, [{ productId, quantity: 4 }]);
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 4 });

  await h.probe.publish(
    'payment.failed',
    { orderId, code: 'card_declined', reason: 'Your card was declined' },
    orderId,
  );
  const released = await replyFor(h.probe, 'inventory.stock.released', orderId);
  assert.equal((released.data as { reason: string }).reason, 'payment failed: card_declined');
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 0 });
});

test('inventory - choreography: shipping.scheduled commits; a short order.created is refused', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 3);
  const orderId = randomUUID();
  await h.probe.publish('order.created', orderCreated(orderId, [{ productId, quantity: 3 }]), orderId);
  await replyFor(h.probe, 'inventory.stock.reserved', orderId);
  await h.probe.publish(
    'shipping.scheduled',
    { orderId, shipmentId: randomUUID(), trackingNumber: 'TRK1', at: new Date().toISOString() },
    orderId,
  );
  await replyFor(h.probe, 'inventory.stock.committed', orderId);
  assert.deepEqual(await h.stock(productId), { onHand: 0, reserved: 0 });

  const tooLate = randomUUID();
  await h.probe.publish('order.created', orderCreated(tooLate, [{ productId, quantity: 1 }]), tooLate);
  const failed = await replyFor(h.probe, 'inventory.stock.reservation-failed', tooLate);
  assert.deepEqual((failed.data as { shortages: unknown }).shortages, [
    { productId, requested: 1, available: 0 },
  ]);
});

test('inventory - choreography: an order finding the units held waits; a failed payment gives its unit to the line', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 1);
  const [holder, waiter] = [randomUUID(), randomUUID()];
  await h.probe.publish('order.created', orderCreated(holder, [{ productId, quantity: 1 }]), holder);
  await replyFor(h.probe, 'inventory.stock.reserved', holder);
  await h.probe.publish('order.created', orderCreated(waiter, [{ productId, quantity: 1 }]), waiter);
  const waiting = await replyFor(h.probe, 'inventory.stock.waiting', waiter);
  assert.deepEqual((waiting.data as { lines: unknown }).lines, [{ productId, quantity: 1 }]);

  await h.probe.publish(
    'payment.failed',
    { orderId: holder, code: 'card_declined', reason: 'declined' },
    holder,
  );
  await replyFor(h.probe, 'inventory.stock.reserved', waiter);
  assert.deepEqual(await h.stock(productId), { onHand: 1, reserved: 1 });
});

test('inventory - choreography: a shipment cancelled before the order was seen gets no stock', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  const orderId = randomUUID();
  // Shipping's answer to a cancel or timeout that reached it first: a tombstone.
  await h.probe.publish('shipping.cancelled', { orderId }, orderId);
  await replyFor(h.probe, 'inventory.stock.released', orderId);
  await h.probe.publish('order.created', orderCreated(orderId, [{ productId, quantity: 1 }]), orderId);
  const refused = await replyFor(h.probe, 'inventory.stock.reservation-failed', orderId);
  assert.equal((refused.data as { reason: string }).reason, 'order cancelled');
  assert.equal(heardFor(h.probe, orderId, ['inventory.stock.reserved']).length, 0);
  assert.deepEqual(await h.stock(productId), { onHand: 10, reserved: 0 });
});

test("inventory - follows the catalog: a new product gets stock, a deleted one loses it unless it's reserved", async () => {
  const created = randomUUID();
  const snapshot = (productId: string) => ({
    productId,
    sku: `SKU-${productId.slice(0, 8)}`,
    name: 'New thing',
    price: { amount: 500, currency: 'USD' },
    category: 'home',
    version: 1,
  });
  await h.probe.publish('catalog.product.created', snapshot(created), created);
  assert.deepEqual(await eventually(() => h.stock(created), 'a row for the new product'), {
    onHand: 40,
    reserved: 0,
  });

  const held = randomUUID();
  await h.setStock(held, 5);
  await h.db.query('UPDATE stock SET reserved = 1 WHERE product_id = $1', [held]);
  const deletions = await Promise.all(
    [held, created].map((productId) =>
      h.probe.publish('catalog.product.deleted', { productId, sku: 'x', version: 2 }, productId),
    ),
  );
  await eventually(async () => {
    const { rows } = await h.db.query('SELECT 1 FROM inbox WHERE group_name = $1 AND event_id = ANY($2)', [
      'inventory-catalog',
      deletions.map((event) => event.id),
    ]);
    return rows.length === 2;
  }, 'both deletions to be handled');
  assert.equal(await h.stock(created), undefined, 'an unreserved product loses its row');
  assert.deepEqual(await h.stock(held), { onHand: 5, reserved: 1 }, 'reserved stock is kept');
});
