// What the gateway asks of the cart for the home page it composes (storefront.ts
// `cartCount`): the signed-in shopper's cart, asked with the shopper's own token, of
// which it shows the item count. The catalog and inventory are the stand-in's here
// (an empty catalog: the home page's catalog reads are the catalog's pact). The cart's
// verification replays this pact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import type { storefront } from '@platform/contracts';
import { consumerPact } from '@platform/testkit/pact';
import { shopperGets, throughGateway } from './edge.ts';

const { integer, regex } = MatchersV3;
const PRODUCT_ID = '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e';
const pact = consumerPact('gateway', 'cart');
/** The shopper's own token, passed on as it came (the gateway has verified it). */
const asTheShopper = {
  accept: 'application/json',
  authorization: regex(/^Bearer .+$/, 'Bearer a-shoppers-token'),
};

test("the home page shows the signed-in shopper's cart item count", async () => {
  await pact
    .addInteraction()
    .given("the signed-in shopper's cart with a product", { productId: PRODUCT_ID, quantity: 3 })
    .uponReceiving("the signed-in shopper's cart read by the gateway for the home page")
    .withRequest('GET', '/api/v1/cart', (request) => request.headers(asTheShopper))
    .willRespondWith(200, (response) => response.jsonBody({ itemCount: integer(3) }))
    .executeTest(async (server) => {
      const options = { mocks: { CART_URL: server.url }, standIns: ['CATALOG_URL', 'INVENTORY_URL'] };
      const home = await throughGateway(options, async (gateway) =>
        shopperGets<storefront.StorefrontHome>(
          gateway,
          '/api/v1/storefront/home',
          await gateway.token(['customer']),
        ),
      );
      assert.equal(home.status, 200);
      assert.deepEqual(home.body.cart, { itemCount: 3 });
      assert.deepEqual(home.body.warnings, []);
    });
});
