// What the gateway asks of inventory when it composes the shop's pages (storefront.ts):
// the stock levels of the products shown, in one call (`?productId=a&productId=b`, no
// token: the stock route is public). It reads each level's product id and what is
// available; a product inventory keeps no stock for is left out, and shows as out of
// stock. The catalog and the cart are the tests' stand-ins (shop-stand-in.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import type { storefront } from '@platform/contracts';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { consumerPact } from '@platform/testkit/pact';
import { HEADPHONES, NOVEL, SPEAKER, startShop, TURNTABLE } from '../shop-stand-in.ts';

const { arrayContaining, integer } = MatchersV3;
const pact = consumerPact('gateway', 'inventory');

// Recommendations on, whatever the repository's flag file says: a product page asks for its related products' stock too.
let flags: TestFlags;
before(async () => {
  flags = await testFlags({ storefrontRecommendations: flag({ on: true, off: false }, 'on') });
});
after(() => flags.close());

async function get<T>(inventoryUrl: string, path: string): Promise<T> {
  const shop = await startShop({ INVENTORY_URL: inventoryUrl });
  try {
    const response = await fetch(`${shop.url}${path}`);
    assert.equal(response.status, 200);
    return (await response.json()) as T;
  } finally {
    await shop.close();
  }
}

test("a product's page shows what inventory says is available of it and of its related products", async () => {
  const kept = [
    { productId: SPEAKER.id, available: 3 },
    { productId: HEADPHONES.id, available: 12 },
    { productId: TURNTABLE.id, available: 0 },
  ];
  await pact
    .addInteraction()
    .given('stock of products', { products: kept })
    .uponReceiving('the stock of a product and its related products asked for by the gateway for its page')
    .withRequest('GET', '/api/v1/inventory', (request) =>
      request.query({ productId: kept.map((level) => level.productId) }),
    )
    .willRespondWith(200, (response) =>
      response.jsonBody({
        data: arrayContaining(
          ...kept.map((level) => ({ productId: level.productId, available: integer(level.available) })),
        ),
      }),
    )
    .executeTest(async (server) => {
      const page = await get<storefront.StorefrontProductPage>(
        server.url,
        `/api/v1/storefront/products/${SPEAKER.id}`,
      );
      assert.deepEqual(page.availability, { status: 'low', available: 3 });
      assert.deepEqual(
        page.related.map((item) => [item.product.id, item.availability]),
        [
          [HEADPHONES.id, { status: 'in-stock', available: 12 }],
          [TURNTABLE.id, { status: 'out-of-stock', available: 0 }],
        ],
      );
      assert.deepEqual(page.warnings, []);
    });
});

test("the home page's featured products show their stock, or none when inventory keeps none", async () => {
  await pact
    .addInteraction()
    .given('stock of products', { products: [{ productId: HEADPHONES.id, available: 12 }] })
    .given('no stock kept for a product', { productId: NOVEL.id })
    .uponReceiving('the stock of the featured products asked for by the gateway for the home page')
    .withRequest('GET', '/api/v1/inventory', (request) =>
      request.query({ productId: [HEADPHONES.id, NOVEL.id] }),
    )
    .willRespondWith(200, (response) =>
      response.jsonBody({ data: arrayContaining({ productId: HEADPHONES.id, available: integer(12) }) }),
    )
    .executeTest(async (server) => {
      const home = await get<storefront.StorefrontHome>(server.url, '/api/v1/storefront/home');
      assert.deepEqual(
        home.featured.map((item) => [item.product.id, item.availability]),
        [
          [HEADPHONES.id, { status: 'in-stock', available: 12 }],
          [NOVEL.id, { status: 'out-of-stock', available: 0 }],
        ],
      );
      assert.deepEqual(home.warnings, []);
    });
});
