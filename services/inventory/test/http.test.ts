import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { inventory } from '@platform/contracts';
import { undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import { type Harness, replyFor, startHarness } from './harness.ts';

let h: Harness;
let admin: Record<string, string>;
let shopper: Record<string, string>;

before(async () => {
  h = await startHarness('inventory_http');
  admin = { authorization: `Bearer ${await h.issuer.token(['admin'])}`, 'content-type': 'application/json' };
  shopper = { authorization: `Bearer ${await h.issuer.token(['user'])}`, 'content-type': 'application/json' };
});
after(() => h.close());

const put = (productId: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${h.base}/api/v1/inventory/${productId}`, { method: 'PUT', headers, body: JSON.stringify(body) });

test('inventory http - anyone reads a stock level; an unknown product is a 404 problem', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 12);
  await h.db.query('UPDATE stock SET reserved = 2 WHERE product_id = $1', [productId]);
  const known = await fetch(`${h.base}/api/v1/inventory/${productId}`);
  assert.equal(known.status, 200);
  assert.deepEqual(await known.json(), { productId, available: 10, onHand: 12, reserved: 2 });

  const unknown = await fetch(`${h.base}/api/v1/inventory/${randomUUID()}`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal(((await unknown.json()) as { code: string }).code, 'STOCK_NOT_FOUND');
  assert.equal((await fetch(`${h.base}/api/v1/inventory/not-a-uuid`)).status, 400);
});

test('inventory http - stock levels of several products in one call: in the order asked, once each, unknown ones left out', async () => {
  const [first, second, unknown] = [randomUUID(), randomUUID(), randomUUID()];
  await h.setStock(first, 3);
  await h.setStock(second, 8);
  await h.db.query('UPDATE stock SET reserved = 1 WHERE product_id = $1', [second]);
  const ids = [second, unknown, first.toUpperCase(), second];
  const found = await fetch(`${h.base}/api/v1/inventory?${ids.map((id) => `productId=${id}`).join('&')}`);
  assert.equal(found.status, 200);
  assert.deepEqual(await found.json(), {
    data: [
      { productId: second, available: 7, onHand: 8, reserved: 1 },
      { productId: first, available: 3, onHand: 3, reserved: 0 },
    ],
  });
  const one = await fetch(`${h.base}/api/v1/inventory?productId=${first}`);
  assert.deepEqual(
    ((await one.json()) as inventory.StockLevelList).data.length,
    1,
    'one id is a list of one',
  );

  const tooMany = Array.from({ length: 101 }, () => `productId=${randomUUID()}`).join('&');
  for (const query of ['', '?productId=not-a-uuid', `?${tooMany}`, `?productId=${first}&other=1`]) {
    const refused = await fetch(`${h.base}/api/v1/inventory${query}`);
    assert.equal(refused.status, 400, `query ${query.slice(0, 40)}`);
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
  }
});

test('inventory http - an admin sets stock, creating the row; a bad body is a 400', async () => {
  const productId = randomUUID();
  const created = await put(productId, { onHand: 7 }, admin);
  assert.equal(created.status, 200);
  assert.deepEqual(await created.json(), { productId, available: 7, onHand: 7, reserved: 0 });
  const changed = await put(productId, { onHand: 9 }, admin);
  assert.equal(((await changed.json()) as inventory.StockLevel).onHand, 9);

  for (const body of [{ onHand: -1 }, { onHand: 'many' }, { onHand: 1.5 }, {}, { onHand: 1, reserved: 0 }]) {
    const refused = await put(productId, body, admin);
    assert.equal(refused.status, 400, `body ${JSON.stringify(body)}`);
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
  }
  assert.deepEqual(await h.stock(productId), { onHand: 9, reserved: 0 });
});

test('inventory http - setting on-hand below what is reserved is a 409 STOCK_BELOW_RESERVED', async () => {
  const productId = randomUUID();
  await h.setStock(productId, 10);
  await h.db.query('UPDATE stock SET reserved = 6 WHERE product_id = $1', [productId]);
  const refused = await put(productId, { onHand: 5 }, admin);
  assert.equal(refused.status, 409);
  assert.equal(((await refused.json()) as { code: string }).code, 'STOCK_BELOW_RESERVED');
  assert.equal((await put(productId, { onHand: 6 }, admin)).status, 200, 'exactly what is reserved is fine');
});

// The fuzzer's one 500: PUT /api/v1/inventory/A3BB189E-8BF9-3888-9912-ACE4E6543002 while
// other writes ran. PostgreSQL answers uuids in lowercase, so the locked row was not
// found under the id as sent once the row existed (created by a concurrent or earlier PUT).
test('inventory http - concurrent admin PUTs of one product in uppercase all succeed, answering its lowercase id', async () => {
  const productId = randomUUID();
  const sent = productId.toUpperCase();
  const answers = await Promise.all([530_559, 1, 2, 3, 4, 5].map((onHand) => put(sent, { onHand }, admin)));
  const bodies = await Promise.all(answers.map(async (answer) => [answer.status, await answer.json()]));
  assert.deepEqual(
    bodies.filter(([status]) => status !== 200),
    [],
  );
  for (const [, body] of bodies) assert.equal((body as inventory.StockLevel).productId, productId);
  const again = await put(sent, { onHand: 530_559 }, admin);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { productId, available: 530_559, onHand: 530_559, reserved: 0 });
  assert.deepEqual(await h.stock(productId), { onHand: 530_559, reserved: 0 });
});

test('inventory http - setting stock needs an admin: 401 without a token, 403 for a shopper', async () => {
  const productId = randomUUID();
  assert.equal((await put(productId, { onHand: 1 }, { 'content-type': 'application/json' })).status, 401);
  assert.equal((await put(productId, { onHand: 1 }, shopper)).status, 403);
  assert.equal(await h.stock(productId), undefined);
});

test('inventory http - an admin lowering stock below the threshold announces low stock', async () => {
  const productId = randomUUID();
  await put(productId, { onHand: 20 }, admin);
  await put(productId, { onHand: 3 }, admin);
  await put(productId, { onHand: 2 }, admin);
  const low = await h.probe.next((e) => e.type === 'inventory.stock.low' && e.subject === productId);
  assert.deepEqual(low.data, { productId, available: 3, threshold: 5 });
  assert.equal(await h.outboxCount('inventory.stock.low', productId), 1);
});

test("inventory http - an admin reads an order's reservation; others cannot; unknown is 404", async () => {
  const productId = randomUUID();
  await h.setStock(productId, 5);
  const orderId = randomUUID();
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  await h.probe.send(
    'inventory.reserve-stock',
    { orderId, lines: [{ productId, quantity: 2 }], expiresAt },
    orderId,
  );
  await replyFor(h.probe, 'inventory.stock.reserved', orderId);

  const url = `${h.base}/api/v1/inventory/reservations/${orderId}`;
  const found = await fetch(url, { headers: { authorization: admin.authorization ?? '' } });
  assert.equal(found.status, 200);
  const reservation = (await found.json()) as inventory.Reservation;
  assert.equal(reservation.status, 'RESERVED');
  assert.deepEqual(reservation.lines, [{ productId, quantity: 2 }]);
  assert.equal(reservation.expiresAt, expiresAt);

  assert.equal((await fetch(url, { headers: { authorization: shopper.authorization ?? '' } })).status, 403);
  const unknown = await fetch(`${h.base}/api/v1/inventory/reservations/${randomUUID()}`, {
    headers: { authorization: admin.authorization ?? '' },
  });
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { code: string }).code, 'RESERVATION_NOT_FOUND');
});

test('inventory http - the OpenAPI document is valid and lists every answer above', async () => {
  await validateOpenApi(await (await fetch(`${h.base}/openapi.json`)).json());
  assert.deepEqual(await undocumentedAnswers(h.base), []);
});
