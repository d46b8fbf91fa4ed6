// What the cart asks of the catalog (catalog-client.ts): a product by id, to copy its
// name and price into a cart line. The catalog's verification replays this pact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { CONSUMER_TOKEN, consumerPact, peersAt } from '@platform/testkit/pact';
import { catalogLookup } from '../../src/catalog-client.ts';

const { like, integer, regex, uuid } = MatchersV3;
const PRODUCT_ID = '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e';
const pact = consumerPact('cart', 'catalog');
const authorized = { authorization: regex(/^Bearer .+$/, `Bearer ${CONSUMER_TOKEN}`) };

async function lookUp(url: string, id: string) {
  const { peers, close } = await peersAt('cart', { catalog: url });
  try {
    return await catalogLookup(peers).product(id);
  } finally {
    await close();
  }
}

test('the cart copies a product the catalog has', async () => {
  await pact
    .addInteraction()
    .given('a product', { id: PRODUCT_ID })
    .uponReceiving('a product looked up by the cart')
    .withRequest('GET', `/api/v1/products/${PRODUCT_ID}`, (request) => request.headers(authorized))
    .willRespondWith(200, (response) =>
      response.jsonBody({
        id: uuid(PRODUCT_ID),
        sku: like('MUG-001'),
        name: like('Enamel mug'),
        price: { amount: integer(1250), currency: regex(/^[A-Z]{3}$/, 'USD') },
        version: integer(1),
      }),
    )
    .executeTest(async (server) => {
      const product = await lookUp(server.url, PRODUCT_ID);
      assert.deepEqual(product, {
        id: PRODUCT_ID,
        sku: 'MUG-001',
        name: 'Enamel mug',
        price: { amount: 1250, currency: 'USD' },
        version: 1,
      });
    });
});

test('the cart refuses a product the catalog does not have', async () => {
  const missing = '00000000-0000-4000-8000-000000000000';
  await pact
    .addInteraction()
    .given('no product', { id: missing })
    .uponReceiving('a lookup of a product the catalog does not have')
    .withRequest('GET', `/api/v1/products/${missing}`, (request) => request.headers(authorized))
    .willRespondWith(404)
    .executeTest(async (server) => {
      assert.equal(await lookUp(server.url, missing), undefined);
    });
});
