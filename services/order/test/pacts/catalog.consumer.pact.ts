// What the order asks of the catalog at checkout (peer-calls.ts `catalogEntries`):
// today's entries of the products ordered, looked up together, which price the
// order's lines (sku, name, category, price, weight). A product the catalog does not
// have is left out of its answer, and the order refuses it. The catalog's verification
// replays this pact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { consumerPact } from '@platform/testkit/pact';
import { catalogEntries } from '../../src/peer-calls.ts';
import { asOrder, authorized } from './as-order.ts';

const { integer, like, regex, uuid } = MatchersV3;
const MUG = '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e';
const KETTLE = '2a9d4b61-3c7e-4f18-a5b2-6c8d9e0f1a2b';
const pact = consumerPact('order', 'catalog');
const currency = regex(/^[A-Z]{3}$/, 'USD');

/** What the order reads of a catalog entry; `attributes` as given. */
const entry = (id: string, amount: number, attributes: object) => ({
  id: uuid(id),
  sku: like('MUG-001'),
  name: like('Enamel mug'),
  category: like('kitchen'),
  price: { amount: integer(amount), currency },
  attributes,
});

const lookUp = (url: string, ids: string[]) =>
  asOrder({ catalog: url }, (peers) => catalogEntries(peers, ids));

test('the order prices its lines from the catalog entries of its products, looked up together', async () => {
  await pact
    .addInteraction()
    .given('a product', { id: MUG, price: 1250, weightGrams: 800 })
    .given('a product', { id: KETTLE, price: 4500 })
    .uponReceiving('two products looked up together by the order')
    .withRequest('GET', '/internal/products', (request) =>
      request.headers(authorized).query({ id: [MUG, KETTLE] }),
    )
    .willRespondWith(200, (response) =>
      response.jsonBody({
        data: [entry(MUG, 1250, { weightGrams: integer(800) }), entry(KETTLE, 4500, like({}))],
      }),
    )
    .executeTest(async (server) => {
      const found = await lookUp(server.url, [MUG, KETTLE.toUpperCase()]);
      assert.deepEqual([...found.keys()], [MUG, KETTLE]);
      assert.deepEqual(found.get(MUG)?.price, { amount: 1250, currency: 'USD' });
      assert.equal(found.get(MUG)?.attributes.weightGrams, 800);
      assert.equal(found.get(KETTLE)?.attributes.weightGrams, undefined, 'no weight: the order assumes one');
    });
});

test('the order learns the catalog does not have a product: it is left out of the answer', async () => {
  const missing = '00000000-0000-4000-8000-000000000000';
  await pact
    .addInteraction()
    .given('no product', { id: missing })
    .uponReceiving('a product the catalog does not have, looked up by the order')
    .withRequest('GET', '/internal/products', (request) =>
      request.headers(authorized).query({ id: [missing] }),
    )
    .willRespondWith(200, (response) => response.jsonBody({ data: [] }))
    .executeTest(async (server) => {
      assert.equal((await lookUp(server.url, [missing])).size, 0);
    });
});
