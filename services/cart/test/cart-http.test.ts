import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import { type Harness, startHarness } from './harness.ts';

interface Problem {
  status: number;
  code: string;
  detail: string;
}

let h: Harness;
before(async () => {
  h = await startHarness('http');
});
after(async () => {
  await h.close();
});

test('cart - a first-time guest gets a guest_id cookie and X-Guest-Id, and finds the same cart with either', async () => {
  const first = await h.call('GET', '/api/v1/cart');
  assert.equal(first.status, 200);
  const guestId = first.headers.get('x-guest-id') ?? '';
  assert.match(guestId, /^[0-9a-f-]{36}$/);
  const cookie = first.headers.get('set-cookie') ?? '';
  assert.match(cookie, new RegExp(`^guest_id=${guestId}; `));
  for (const attribute of ['Path=/', 'Max-Age=2592000', 'HttpOnly', 'SameSite=Lax']) {
    assert.ok(cookie.split('; ').includes(attribute), `cookie has ${attribute}: ${cookie}`);
  }
  assert.deepEqual(first.body.owner, { kind: 'guest', id: guestId });
  assert.deepEqual(first.body.items, []);
  assert.deepEqual(first.body.subtotal, { amount: 0, currency: 'USD' });

  const lamp = h.catalog.add();
  const added = await h.call('POST', '/api/v1/cart/items', {
    cookie: `theme=dark; guest_id=${guestId}`,
    body: { productId: lamp.id, quantity: 2 },
  });
  assert.equal(added.status, 200);
  assert.equal(added.headers.get('set-cookie'), null, 'a known guest gets no new cookie');
  assert.equal(added.body.id, first.body.id, 'the cart id is stable before and after the first item');
  const byHeader = await h.call('GET', '/api/v1/cart', { guestId });
  assert.deepEqual(
    byHeader.body.items.map((item) => [item.productId, item.quantity]),
    [[lamp.id, 2]],
  );
});

test('cart - add sums into a line, patch sets it, delete removes it, clear empties; totals at catalog prices', async () => {
  const token = await h.userToken(randomUUID());
  const tea = h.catalog.add({ name: 'Tea', price: { amount: 450, currency: 'USD' } });
  const cup = h.catalog.add({ name: 'Cup', price: { amount: 1_299, currency: 'USD' } });
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: tea.id, quantity: 2 } });
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: cup.id, quantity: 1 } });
  const summed = await h.call('POST', '/api/v1/cart/items', {
    token,
    body: { productId: tea.id, quantity: 3 },
  });
  assert.equal(summed.status, 200);
  assert.deepEqual(
    summed.body.items.map((item) => [item.name, item.quantity, item.unitPrice.amount, item.lineTotal.amount]),
    [
      ['Tea', 5, 450, 2_250],
      ['Cup', 1, 1_299, 1_299],
    ],
    'lines keep the order they were added in',
  );
  assert.deepEqual(summed.body.subtotal, { amount: 3_549, currency: 'USD' });
  assert.equal(summed.body.itemCount, 6);

  const patched = await h.call('PATCH', `/api/v1/cart/items/${cup.id}`, { token, body: { quantity: 4 } });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.items.find((item) => item.productId === cup.id)?.quantity, 4);

  const removed = await h.call('DELETE', `/api/v1/cart/items/${tea.id}`, { token });
  assert.equal(removed.status, 200);
  assert.deepEqual(
    removed.body.items.map((item) => item.productId),
    [cup.id],
  );
  const again = await h.call('DELETE', `/api/v1/cart/items/${tea.id}`, { token });
  assert.equal(again.status, 200, 'removing what is gone is not an error (safe to retry)');

  const cleared = await h.call('DELETE', '/api/v1/cart', { token });
  assert.equal(cleared.status, 200);
  assert.deepEqual(cleared.body.items, []);
  assert.equal(cleared.body.itemCount, 0);
  assert.deepEqual((await h.call('GET', '/api/v1/cart', { token })).body.items, []);
});

test('cart - quantities outside 1..99 or not JSON integers are 400, a line summing past 99 is 422 QUANTITY_TOO_LARGE and unchanged', async () => {
  const token = await h.userToken(randomUUID());
  const pen = h.catalog.add();
  // "5", true and [1] were once coerced to numbers.
  for (const quantity of [0, 100, 1.5, -1, '5', true, [1], null]) {
    const bad = await h.call<Problem>('POST', '/api/v1/cart/items', {
      token,
      body: { productId: pen.id, quantity },
    });
    assert.equal(bad.status, 400, `quantity ${quantity}`);
    assert.equal(bad.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  }
  assert.equal(
    (await h.call('POST', '/api/v1/cart/items', { token, body: { productId: 'nope', quantity: 1 } })).status,
    400,
  );
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: pen.id, quantity: 60 } });
  const over = await h.call<Problem>('POST', '/api/v1/cart/items', {
    token,
    body: { productId: pen.id, quantity: 40 },
  });
  assert.equal(over.status, 422);
  assert.equal(over.body.code, 'QUANTITY_TOO_LARGE');
  const upTo = await h.call('POST', '/api/v1/cart/items', {
    token,
    body: { productId: pen.id, quantity: 39 },
  });
  assert.equal(upTo.body.items[0]?.quantity, 99, 'exactly 99 is allowed');

  assert.equal(
    (await h.call('PATCH', `/api/v1/cart/items/${pen.id}`, { token, body: { quantity: 0 } })).status,
    400,
  );
  for (const quantity of [100, '5', true]) {
    const patched = await h.call('PATCH', `/api/v1/cart/items/${pen.id}`, { token, body: { quantity } });
    assert.equal(patched.status, 400, `quantity ${quantity}`);
  }
  const missing = await h.call<Problem>('PATCH', `/api/v1/cart/items/${randomUUID()}`, {
    token,
    body: { quantity: 1 },
  });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'ITEM_NOT_IN_CART');
});

test('cart - two concurrent adds that together pass 99: exactly one is taken', async () => {
  const token = await h.userToken(randomUUID());
  const mug = h.catalog.add();
  const answers = await Promise.all(
    [60, 60].map((quantity) =>
      h.call('POST', '/api/v1/cart/items', { token, body: { productId: mug.id, quantity } }),
    ),
  );
  assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 422]);
  assert.equal((await h.call('GET', '/api/v1/cart', { token })).body.items[0]?.quantity, 60);
});

test('cart - a product the catalog does not know is 422 UNKNOWN_PRODUCT, and nothing is added', async () => {
  const token = await h.userToken(randomUUID());
  const unknown = await h.call<Problem>('POST', '/api/v1/cart/items', {
    token,
    body: { productId: randomUUID(), quantity: 1 },
  });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.code, 'UNKNOWN_PRODUCT');
  assert.deepEqual((await h.call('GET', '/api/v1/cart', { token })).body.items, []);
});

test('cart - signing in merges the guest cart (summed, capped at 99), deletes it and clears the cookie; once', async () => {
  const userId = randomUUID();
  const token = await h.userToken(userId);
  const [kettle, plate, fork] = [h.catalog.add(), h.catalog.add(), h.catalog.add()];
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: kettle.id, quantity: 1 } });
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: plate.id, quantity: 70 } });
  const guest = await h.call('POST', '/api/v1/cart/items', { body: { productId: plate.id, quantity: 50 } });
  const guestId = guest.headers.get('x-guest-id') ?? '';
  const cookie = `guest_id=${guestId}`;
  await h.call('POST', '/api/v1/cart/items', { cookie, body: { productId: fork.id, quantity: 3 } });
  await h.call('POST', '/api/v1/cart/items', { cookie, body: { productId: kettle.id, quantity: 2 } });

  const merged = await h.call('GET', '/api/v1/cart', { token, cookie });
  assert.equal(merged.status, 200);
  assert.deepEqual(merged.body.owner, { kind: 'user', id: userId });
  const quantities = Object.fromEntries(merged.body.items.map((item) => [item.productId, item.quantity]));
  assert.deepEqual(quantities, { [kettle.id]: 3, [plate.id]: 99, [fork.id]: 3 });
  const cleared = merged.headers.get('set-cookie') ?? '';
  assert.match(cleared, /^guest_id=; /);
  assert.ok(cleared.includes('Max-Age=0'), cleared);
  assert.equal(merged.headers.get('x-guest-id'), null);

  const repeated = await h.call('GET', '/api/v1/cart', { token, cookie });
  assert.deepEqual(repeated.body.items, merged.body.items, 'a second merge of the same guest adds nothing');
  const guestCart = await h.call('GET', '/api/v1/cart', { guestId });
  assert.deepEqual(guestCart.body.items, [], 'the guest cart is gone');
});

test('cart - a user cannot see another user’s cart; a bad token is 401, not a guest cart', async () => {
  const alice = await h.userToken(randomUUID());
  const bob = await h.userToken(randomUUID());
  const book = h.catalog.add();
  await h.call('POST', '/api/v1/cart/items', { token: alice, body: { productId: book.id, quantity: 1 } });
  assert.deepEqual((await h.call('GET', '/api/v1/cart', { token: bob })).body.items, []);
  assert.equal(
    (await h.call('DELETE', `/api/v1/cart/items/${book.id}`, { token: bob })).status,
    200,
    "bob's delete touches only bob's cart",
  );
  assert.equal((await h.call('GET', '/api/v1/cart', { token: alice })).body.items.length, 1);

  const forged = await h.call<Problem>('GET', '/api/v1/cart', { token: `${alice.slice(0, -4)}AAAA` });
  assert.equal(forged.status, 401);
  assert.equal(forged.headers.get('set-cookie'), null);
  assert.equal((await h.call('GET', '/api/v1/cart', { guestId: 'not-a-uuid' })).status, 400);
});

test('cart - the internal route gives the order service a user’s cart (empty if none), and only to services', async () => {
  const userId = randomUUID();
  const token = await h.userToken(userId);
  const lamp = h.catalog.add({ price: { amount: 2_500, currency: 'USD' } });
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: lamp.id, quantity: 2 } });
  const service = await h.issuer.token(['service']);
  const found = await h.call('GET', `/internal/carts/${userId}`, { token: service });
  assert.equal(found.status, 200);
  assert.deepEqual(found.body.subtotal, { amount: 5_000, currency: 'USD' });
  assert.deepEqual(found.body.owner, { kind: 'user', id: userId });
  const none = await h.call('GET', `/internal/carts/${randomUUID()}`, { token: service });
  assert.equal(none.status, 200);
  assert.deepEqual(none.body.items, []);
  assert.equal((await h.call('GET', `/internal/carts/${userId}`, { token })).status, 403);
  assert.equal((await h.call('GET', `/internal/carts/${userId}`)).status, 401);
});

// The gateway's breaker counts the cart's 503s: only the catalog being unavailable may
// become one. A catalog bug on one request is the cart's 500, which nothing counts.
test("cart - the catalog's 500 is the cart's 500 and its 404 an unknown product, never a 503", async () => {
  const token = await h.userToken(randomUUID());
  const known = h.catalog.add();
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: known.id, quantity: 1 } });
  h.catalog.failWith = 500;
  try {
    for (const productId of [randomUUID(), known.id]) {
      const failed = await h.call<Problem>('POST', '/api/v1/cart/items', {
        token,
        body: { productId, quantity: 1 },
      });
      assert.equal(failed.status, 500, JSON.stringify(failed.body));
      assert.equal(failed.body.code, 'UPSTREAM_ERROR');
    }
    h.catalog.failWith = 404;
    const gone = await h.call<Problem>('POST', '/api/v1/cart/items', {
      token,
      body: { productId: known.id, quantity: 1 },
    });
    assert.equal(gone.status, 422, JSON.stringify(gone.body));
    assert.equal(gone.body.code, 'UNKNOWN_PRODUCT');
  } finally {
    h.catalog.failWith = undefined;
  }
  const cart = await h.call('GET', '/api/v1/cart', { token });
  assert.equal(cart.body.items[0]?.quantity, 1, 'nothing was added meanwhile');
});

test('cart - a product id in uppercase is the same product, answered in lowercase', async () => {
  const token = await h.userToken(randomUUID());
  const lamp = h.catalog.add();
  const added = await h.call('POST', '/api/v1/cart/items', {
    token,
    body: { productId: lamp.id.toUpperCase(), quantity: 1 },
  });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.deepEqual(
    added.body.items.map((item) => [item.productId, item.quantity]),
    [[lamp.id, 1]],
  );
});

// Last: it leaves the catalog client's circuit breaker open.
test('cart - with the catalog down, a product the cart knows is added at its last price; an unknown one is 503', async () => {
  const token = await h.userToken(randomUUID());
  const known = h.catalog.add({ price: { amount: 700, currency: 'USD' } });
  await h.call('POST', '/api/v1/cart/items', { token, body: { productId: known.id, quantity: 1 } });
  h.catalog.failWith = 503;
  const added = await h.call('POST', '/api/v1/cart/items', {
    token,
    body: { productId: known.id, quantity: 1 },
  });
  assert.equal(added.status, 200);
  assert.equal(added.body.items[0]?.quantity, 2);
  assert.equal(added.body.items[0]?.unitPrice.amount, 700);
  const unknown = await h.call<Problem>('POST', '/api/v1/cart/items', {
    token,
    body: { productId: randomUUID(), quantity: 1 },
  });
  assert.equal(unknown.status, 503);
  assert.equal(unknown.body.code, 'CATALOG_UNAVAILABLE');
  h.catalog.failWith = undefined;
});

test('cart - the OpenAPI document is valid and lists every answer above', async () => {
  await validateOpenApi(await (await fetch(`${h.base}/openapi.json`)).json());
  assert.deepEqual(await undocumentedAnswers(h.base), []);
});
