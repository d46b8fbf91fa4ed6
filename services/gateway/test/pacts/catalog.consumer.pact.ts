// What the gateway asks of the catalog for the shop's pages it composes (storefront.ts,
// through catalog-reads.ts): the categories and each one's first products (the home
// page's featured products, a product page's related ones), and a product by id, whose
// 404 problem becomes the page's own 404 with the catalog's code and detail. The
// gateway passes products on whole (its pages' schema has every field), so every field
// is matched by its kind. The catalog's verification replays this pact.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import type { storefront } from '@platform/contracts';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { consumerPact } from '@platform/testkit/pact';
import { shopperGets, throughGateway } from './edge.ts';

const { eachLike, integer, like, regex, uuid } = MatchersV3;
const PRODUCT_ID = '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e';
const MISSING = '00000000-0000-4000-8000-000000000000';
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const pact = consumerPact('gateway', 'catalog');
const json = { accept: 'application/json' };
const aProduct = { id: PRODUCT_ID };

const product = {
  id: uuid(PRODUCT_ID),
  sku: like('MUG-001'),
  name: like('Enamel mug'),
  description: like('A mug.'),
  price: { amount: integer(1250), currency: regex(/^[A-Z]{3}$/, 'USD') },
  category: like('kitchen'),
  imageUrl: like(`/api/v1/products/${PRODUCT_ID}/image`),
  attributes: like({}),
  createdAt: regex(ISO_TIMESTAMP, '2026-12-03T10:00:00.000Z'),
  updatedAt: regex(ISO_TIMESTAMP, '2026-12-03T10:00:00.000Z'),
  version: integer(1),
};

/** A category's first products (the gateway asks for one more than the four it shows). */
function aShelf(description: string) {
  return pact
    .addInteraction()
    .given('a product', aProduct)
    .uponReceiving(description)
    .withRequest('GET', '/api/v1/products', (request) =>
      request.headers(json).query({ category: 'kitchen', limit: '5' }),
    )
    .willRespondWith(200, (response) => response.jsonBody({ data: eachLike(product) }));
}

let flags: TestFlags;
before(async () => {
  flags = await testFlags({ storefrontRecommendations: flag({ on: true, off: false }, 'on') });
});
after(() => flags.close());

test("the home page: the catalog's categories, and the first product of each that has some", async () => {
  pact
    .addInteraction()
    .given('a product', aProduct)
    .uponReceiving('the categories read by the gateway for the home page')
    .withRequest('GET', '/api/v1/categories', (request) => request.headers(json))
    .willRespondWith(200, (response) =>
      response.jsonBody({
        data: eachLike({
          id: like('kitchen'),
          name: like('Kitchen'),
          description: like('Things for the kitchen.'),
          productCount: integer(1),
        }),
      }),
    );
  await aShelf("a category's first products read by the gateway for the home page").executeTest(
    async (server) => {
      const options = { mocks: { CATALOG_URL: server.url }, standIns: ['INVENTORY_URL'] };
      const home = await throughGateway(options, (gateway) =>
        shopperGets<storefront.StorefrontHome>(gateway, '/api/v1/storefront/home'),
      );
      assert.equal(home.status, 200);
      assert.deepEqual(
        home.body.categories.map((category) => category.id),
        ['kitchen'],
      );
      assert.deepEqual(
        home.body.featured.map((item) => item.product.id),
        [PRODUCT_ID],
      );
      assert.deepEqual(home.body.warnings, []);
    },
  );
});

test('a product page: the product, and others of its category', async () => {
  pact
    .addInteraction()
    .given('a product', aProduct)
    .uponReceiving('a product read by the gateway for its page')
    .withRequest('GET', `/api/v1/products/${PRODUCT_ID}`, (request) => request.headers(json))
    .willRespondWith(200, (response) => response.jsonBody(product));
  await aShelf("a product's category read by the gateway for related products").executeTest(
    async (server) => {
      const options = { mocks: { CATALOG_URL: server.url }, standIns: ['INVENTORY_URL'] };
      const page = await throughGateway(options, (gateway) =>
        shopperGets<storefront.StorefrontProductPage>(gateway, `/api/v1/storefront/products/${PRODUCT_ID}`),
      );
      assert.equal(page.status, 200);
      assert.equal(page.body.product.id, PRODUCT_ID);
      assert.deepEqual(page.body.related, [], 'the product itself is not its own recommendation');
      assert.deepEqual(page.body.warnings, []);
    },
  );
});

test("a product page for a product the catalog does not have is the catalog's 404", async () => {
  await pact
    .addInteraction()
    .given('no product', { id: MISSING })
    .uponReceiving('a product the catalog does not have, read by the gateway for its page')
    .withRequest('GET', `/api/v1/products/${MISSING}`, (request) => request.headers(json))
    .willRespondWith(404, (response) =>
      response
        .headers({
          'Content-Type': regex(
            /^application\/problem\+json(;.*)?$/,
            'application/problem+json; charset=utf-8',
          ),
        })
        .jsonBody({
          code: 'PRODUCT_NOT_FOUND',
          title: like('Product not found'),
          detail: like(`No product with id ${MISSING}`),
        }),
    )
    .executeTest(async (server) => {
      const options = { mocks: { CATALOG_URL: server.url }, standIns: ['INVENTORY_URL'] };
      const page = await throughGateway(options, (gateway) =>
        shopperGets<{ code: string; detail: string }>(gateway, `/api/v1/storefront/products/${MISSING}`),
      );
      assert.equal(page.status, 404);
      assert.equal(page.body.code, 'PRODUCT_NOT_FOUND');
      assert.equal(page.body.detail, `No product with id ${MISSING}`);
    });
});
