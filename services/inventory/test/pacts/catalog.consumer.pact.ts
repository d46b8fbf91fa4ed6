// What inventory asks of the catalog when it seeds stock (seed.ts `catalogProductIds`):
// the public product list, page after page until the last the catalog names, with
// inventory's service token, or without one in a deployment that has no client
// credentials. Only the ids and the page count are read. The catalog's verification
// replays this pact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { CONSUMER_TOKEN, consumerPact, peersAt } from '@platform/testkit/pact';
import { catalogProductIds, PAGE_SIZE } from '../../src/seed.ts';

const { eachLike, integer, regex, uuid } = MatchersV3;
const FIRST = '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e';
const LAST = '2a9d4b61-3c7e-4f18-a5b2-6c8d9e0f1a2b';
const pact = consumerPact('inventory', 'catalog');
const authorized = { authorization: regex(/^Bearer .+$/, `Bearer ${CONSUMER_TOKEN}`) };
/** Enough products for the list to take two pages. */
const TWO_PAGES = { count: PAGE_SIZE + 1 };

/** One page of the list as the seed reads it: ids, and how many pages there are. */
const page = (id: string, totalPages: number) => ({
  data: eachLike({ id: uuid(id) }),
  pagination: { totalPages: integer(totalPages) },
});
const query = (number: number) => ({ limit: String(PAGE_SIZE), page: String(number) });

async function seedIds(url: string, anonymous: boolean): Promise<string[][]> {
  const { peers, close } = await peersAt('inventory', { catalog: url });
  try {
    const pages: string[][] = [];
    for await (const ids of catalogProductIds(peers, anonymous, new AbortController().signal))
      pages.push(ids);
    return pages;
  } finally {
    await close();
  }
}

test('the seed reads every page of the catalog, up to the last it names', async () => {
  pact
    .addInteraction()
    .given('products filling more than one page', TWO_PAGES)
    .uponReceiving("the first page of the catalog's products, read by the seed")
    .withRequest('GET', '/api/v1/products', (request) => request.headers(authorized).query(query(1)))
    .willRespondWith(200, (response) => response.jsonBody(page(FIRST, 2)));
  await pact
    .addInteraction()
    .given('products filling more than one page', TWO_PAGES)
    .uponReceiving("the last page of the catalog's products, read by the seed")
    .withRequest('GET', '/api/v1/products', (request) => request.headers(authorized).query(query(2)))
    .willRespondWith(200, (response) => response.jsonBody(page(LAST, 2)))
    .executeTest(async (server) => {
      assert.deepEqual(await seedIds(server.url, false), [[FIRST], [LAST]]);
    });
});

test('without client credentials the seed reads the public list with no token', async () => {
  await pact
    .addInteraction()
    .given('a product', { id: FIRST })
    .uponReceiving("the catalog's products, read by a seed with no token")
    .withRequest('GET', '/api/v1/products', (request) =>
      request.headers({ accept: 'application/json' }).query(query(1)),
    )
    .willRespondWith(200, (response) => response.jsonBody(page(FIRST, 1)))
    .executeTest(async (server) => {
      assert.deepEqual(await seedIds(server.url, true), [[FIRST]]);
    });
});
