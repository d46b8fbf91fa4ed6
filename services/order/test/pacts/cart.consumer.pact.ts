// What the order asks of the cart at checkout (peer-calls.ts `wantedLines`): the
// customer's cart, whose lines become the order's and whose prices are compared with
// the catalog's. An empty cart is the order's CART_EMPTY. The cart's verification
// replays this pact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import type { Principal } from '@platform/chassis';
import { consumerPact } from '@platform/testkit/pact';
import { type Wanted, wantedLines } from '../../src/peer-calls.ts';
import { asOrder, authorized } from './as-order.ts';

const { eachLike, integer, regex, uuid } = MatchersV3;
const CUSTOMER = '5d1c8f3a-2b4e-4c6d-8e9f-0a1b2c3d4e5f';
const PRODUCT_ID = '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e';
const pact = consumerPact('order', 'cart');
const customer: Principal = { subject: CUSTOMER, roles: ['customer'], token: 'x', tokenId: undefined };
const ADDRESS = { name: 'Ada', line1: '1 Main Street', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const CARD = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };

/** The lines an order placed from the cart (no items in the body) wants. */
const fromCart = (url: string): Promise<Wanted> =>
  asOrder({ cart: url }, (peers) =>
    wantedLines(peers, customer, { shippingAddress: ADDRESS, payment: CARD }),
  );

test("the order takes its lines and the prices shown from the customer's cart", async () => {
  await pact
    .addInteraction()
    .given("a customer's cart with a product", { userId: CUSTOMER, productId: PRODUCT_ID, quantity: 2 })
    .uponReceiving("a customer's cart read at checkout")
    .withRequest('GET', `/internal/carts/${CUSTOMER}`, (request) => request.headers(authorized))
    .willRespondWith(200, (response) =>
      response.jsonBody({
        items: eachLike({
          productId: uuid(PRODUCT_ID),
          quantity: integer(2),
          unitPrice: { amount: integer(1250), currency: regex(/^[A-Z]{3}$/, 'USD') },
        }),
      }),
    )
    .executeTest(async (server) => {
      const wanted = await fromCart(server.url);
      assert.deepEqual(wanted, {
        lines: [{ productId: PRODUCT_ID, quantity: 2 }],
        shown: new Map([[PRODUCT_ID, 1250]]),
        fromCart: true,
      });
    });
});

test('the order refuses to check out an empty cart', async () => {
  await pact
    .addInteraction()
    .given('a customer with an empty cart', { userId: CUSTOMER })
    .uponReceiving("an empty customer's cart read at checkout")
    .withRequest('GET', `/internal/carts/${CUSTOMER}`, (request) => request.headers(authorized))
    .willRespondWith(200, (response) => response.jsonBody({ items: [] }))
    .executeTest(async (server) => {
      await assert.rejects(fromCart(server.url), { code: 'CART_EMPTY' });
    });
});
