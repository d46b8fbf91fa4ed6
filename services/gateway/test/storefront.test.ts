import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storefront } from '@platform/contracts';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  CART_ITEMS,
  CATEGORIES,
  HEADPHONES,
  NOVEL,
  type Shop,
  SLOW_ANSWER_MS,
  SPEAKER,
  startShop,
  TURNTABLE,
} from './shop-stand-in.ts';

// The storefront's pages the gateway composes (storefront.ts) from the catalog,
// inventory and the cart (one stand-in plays all three): whole, then with each part
// failing, and the answers checked against the contract's schemas.

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv, { mode: 'full' });
const validHome = ajv.compile(storefront.StorefrontHome);
const validPage = ajv.compile(storefront.StorefrontProductPage);

function assertValid(validate: ValidateFunction, body: unknown): void {
  assert.ok(validate(body), `the answer keeps to the contract: ${ajv.errorsText(validate.errors)}`);
}

const recommendations = (on: boolean) => ({
  storefrontRecommendations: flag({ on: true, off: false }, on ? 'on' : 'off'),
});

let flags: TestFlags;
before(async () => {
  flags = await testFlags(recommendations(true));
});
after(() => flags.close());

async function get(shop: Shop, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${shop.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}

const home = async (shop: Shop, headers?: Record<string, string>) => {
  const answer = await get(shop, '/api/v1/storefront/home', headers);
  return { ...answer, body: answer.body as storefront.StorefrontHome };
};
const page = async (shop: Shop, id: string) => {
  const answer = await get(shop, `/api/v1/storefront/products/${id}`);
  return { ...answer, body: answer.body as storefront.StorefrontProductPage };
};
const bearer = async (shop: Shop) => ({ authorization: `Bearer ${await shop.token(['customer'])}` });
const idsOf = (items: storefront.ShelfItem[]) => items.map((item) => item.product.id);

/** A gateway of its own for a test that takes a part down: its breakers and cache start clean. */
async function withShop(run: (shop: Shop) => Promise<void>, env: Record<string, string> = {}) {
  const shop = await startShop(env);
  try {
    await run(shop);
  } finally {
    await shop.close();
  }
}

describe('storefront pages, every part answering', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop();
  });
  after(() => shop.close());

  test('storefront - the home page: the categories, the first product of each with its availability, no cart for a guest', async () => {
    const before = shop.seen.length;
    const { status, headers, body } = await home(shop);
    assert.equal(status, 200);
    assertValid(validHome, body);
    assert.deepEqual(body.categories, CATEGORIES);
    assert.deepEqual(idsOf(body.featured), [HEADPHONES.id, NOVEL.id], 'one per category that has products');
    assert.deepEqual(body.featured[0]?.product, HEADPHONES);
    assert.deepEqual(
      body.featured.map((item) => item.availability),
      [
        { status: 'in-stock', available: 12 },
        { status: 'out-of-stock', available: 0 },
      ],
    );
    assert.equal(body.cart, null);
    assert.equal(body.pricesStale, false);
    assert.deepEqual(body.warnings, []);
    assert.equal(headers.get('cache-control'), 'private, no-store');
    assert.equal(headers.get('warning'), null);
    const asked = shop.seen.slice(before);
    assert.deepEqual(
      asked.filter((line) => line.startsWith('GET /api/v1/inventory')),
      [`GET /api/v1/inventory?productId=${HEADPHONES.id}&productId=${NOVEL.id}`],
      'availability in one batched call',
    );
    assert.ok(!asked.some((line) => line.startsWith('GET /api/v1/cart')), 'a guest has no cart to ask for');
    assert.ok(!asked.some((line) => line.includes('category=garden')), 'an empty category is not asked');
  });

  test("storefront - a signed-in shopper's home page has their cart's item count, asked with their token", async () => {
    const headers = await bearer(shop);
    const before = shop.calls.length;
    const { status, body } = await home(shop, headers);
    assert.equal(status, 200);
    assertValid(validHome, body);
    assert.deepEqual(body.cart, { itemCount: CART_ITEMS });
    const calls = shop.calls.slice(before);
    assert.deepEqual(
      calls.filter((call) => call.authorization !== undefined),
      [{ path: '/api/v1/cart', authorization: headers.authorization }],
      'the token goes to the cart and nowhere else',
    );
  });

  test('storefront - a token that does not verify is a 401 problem, not a guest page', async () => {
    const { status, headers, body } = await get(shop, '/api/v1/storefront/home', {
      authorization: 'Bearer not.a.token',
    });
    assert.equal(status, 401);
    assert.match(headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal((body as { code: string }).code, 'UNAUTHENTICATED');
    assert.match(headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  test('storefront - a product page: the product, its availability, and others of its category with theirs', async () => {
    const { status, headers, body } = await page(shop, HEADPHONES.id);
    assert.equal(status, 200);
    assertValid(validPage, body);
    assert.deepEqual(body.product, HEADPHONES);
    assert.deepEqual(body.availability, { status: 'in-stock', available: 12 });
    assert.deepEqual(idsOf(body.related), [SPEAKER.id, TURNTABLE.id], 'its category, itself left out');
    assert.deepEqual(
      body.related.map((item) => item.availability),
      [
        { status: 'low', available: 3 },
        { status: 'out-of-stock', available: 0 },
      ],
      'a product inventory keeps no stock for cannot be ordered',
    );
    assert.equal(body.priceStale, false);
    assert.deepEqual(body.warnings, []);
    assert.equal(headers.get('cache-control'), 'private, no-store');
  });

  test('storefront - an id in capitals is the same product, asked of the catalog as it spells it', async () => {
    const before = shop.seen.length;
    const { status, body } = await page(shop, SPEAKER.id.toUpperCase());
    assert.equal(status, 200);
    assert.equal(body.product.id, SPEAKER.id);
    assert.ok(shop.seen.slice(before).includes(`GET /api/v1/products/${SPEAKER.id}`));
  });

  test("storefront - an unknown product is the catalog's 404 problem; a malformed id is a 400 problem and asks nobody", async () => {
    const unknown = '0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4fff';
    const missing = await get(shop, `/api/v1/storefront/products/${unknown}`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = missing.body as { code: string; detail: string; instance: string };
    assert.equal(problem.code, 'PRODUCT_NOT_FOUND');
    assert.equal(problem.detail, `No product with id ${unknown}`);
    assert.equal(problem.instance, `/api/v1/storefront/products/${unknown}`);

    const before = shop.seen.length;
    for (const id of ['not-a-uuid', '12345', `${HEADPHONES.id}x`]) {
      const refused = await get(shop, `/api/v1/storefront/products/${id}`);
      assert.equal(refused.status, 400, id);
      assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal((refused.body as { code: string }).code, 'VALIDATION_FAILED');
    }
    assert.deepEqual(shop.seen.slice(before), [], 'nothing reached the services');
  });

  test('storefront - recommendations turned off by the flag: no related products, the part named, the catalog not asked for them', async () => {
    await flags.set(recommendations(false));
    try {
      const before = shop.seen.length;
      const { status, headers, body } = await page(shop, NOVEL.id);
      assert.equal(status, 200);
      assertValid(validPage, body);
      assert.deepEqual(body.related, []);
      assert.deepEqual(body.warnings, [
        {
          part: 'related',
          detail: 'recommendations not fetched: turned off (flag storefrontRecommendations)',
        },
      ]);
      assert.equal(headers.get('warning'), '199 gateway "Partial response"');
      assert.ok(!shop.seen.slice(before).some((line) => line.includes('category=')), 'no shelf asked for');
    } finally {
      await flags.set(recommendations(true));
    }
    assert.equal((await page(shop, SPEAKER.id)).body.related.length, 2, 'back on');
  });

  test('storefront - the API document lists both pages with the contract schemas and their problems', async () => {
    const response = await fetch(`${shop.url}/api/docs/openapi.json`);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    type Operation = {
      security?: unknown[];
      responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
    };
    type Schema = { required?: string[]; properties?: Record<string, unknown> };
    const homeOperation = document.paths['/api/v1/storefront/home']?.get;
    const pageOperation = document.paths['/api/v1/storefront/products/{id}']?.get;
    assert.ok(homeOperation && pageOperation, 'both pages are documented');
    const success = (operation: Operation) =>
      operation.responses['200']?.content?.['application/json']?.schema;
    assert.deepEqual(
      success(homeOperation)?.required?.sort(),
      [...storefront.StorefrontHome.required].sort(),
    );
    assert.deepEqual(
      success(pageOperation)?.required?.sort(),
      [...storefront.StorefrontProductPage.required].sort(),
    );
    assert.deepEqual(homeOperation.security, [{}, { bearer: [] }], 'a token is optional');
    assert.deepEqual(pageOperation.security, []);
    assert.match(homeOperation.responses['401']?.description ?? '', /UNAUTHENTICATED/);
    assert.match(pageOperation.responses['404']?.description ?? '', /PRODUCT_NOT_FOUND/);
    assert.match(pageOperation.responses['400']?.description ?? '', /VALIDATION_FAILED/);
    for (const operation of [homeOperation, pageOperation]) {
      for (const status of ['400', '429', '502', '503', '504'])
        assert.ok(operation.responses[status], status);
    }
  });
});

describe('storefront pages, degraded', () => {
  test('storefront - inventory down: availability unknown and a warning, still a 200 on both pages', () =>
    withShop(async (shop) => {
      shop.health.inventory = 'down';
      const front = await home(shop);
      assert.equal(front.status, 200);
      assertValid(validHome, front.body);
      assert.deepEqual(
        front.body.featured.map((item) => item.availability),
        [
          { status: 'unknown', available: null },
          { status: 'unknown', available: null },
        ],
      );
      assert.deepEqual(
        front.body.warnings.map((warning) => warning.part),
        ['availability'],
      );
      assert.match(front.body.warnings[0]?.detail ?? '', /^availability unknown: inventory /);
      assert.doesNotMatch(front.body.warnings[0]?.detail ?? '', /127\.0\.0\.1/, 'no address of the inside');
      assert.equal(front.headers.get('warning'), '199 gateway "Partial response"');

      const product = await page(shop, HEADPHONES.id);
      assert.equal(product.status, 200);
      assertValid(validPage, product.body);
      assert.deepEqual(product.body.availability, { status: 'unknown', available: null });
      assert.ok(product.body.related.every((item) => item.availability.status === 'unknown'));
      assert.equal(product.body.related.length, 2, 'the recommendations still come');
    }));

  test('storefront - inventory slower than its part timeout: the page comes after the part timeout, not the inventory, availability unknown', () =>
    withShop(async (shop) => {
      shop.health.inventory = 'slow';
      const started = Date.now();
      const { status, body } = await page(shop, SPEAKER.id);
      const took = Date.now() - started;
      assert.equal(status, 200);
      assert.deepEqual(body.availability, { status: 'unknown', available: null });
      assert.match(body.warnings[0]?.detail ?? '', /inventory did not answer in time/);
      // Waited for the part's 1 s, not for the inventory's answer (bounds, not a benchmark:
      // a loaded machine may take longer than a second, never the slow part's ten).
      assert.ok(took >= 900 && took < SLOW_ANSWER_MS, `answered after ${took} ms`);
    }));

  test('storefront - a part slower than its part timeout for a while does not open its circuit: the next page once it answers in time has it', () =>
    withShop(async (shop) => {
      // The part's own 1 s is the page's hurry, not the upstream's failure (decision 011):
      // counted, a busy moment would refuse the part to every caller for the open time.
      shop.health.inventory = 'slow';
      const hurried = await Promise.all(Array.from({ length: 12 }, () => home(shop)));
      for (const each of hurried) assert.match(each.body.warnings[0]?.detail ?? '', /did not answer in time/);
      shop.health.inventory = 'up';
      const { body } = await home(shop);
      assert.deepEqual(body.warnings, [], JSON.stringify(body.warnings));
      assert.equal(body.featured[0]?.availability.status, 'in-stock');
    }));

  test('storefront - cart down: cart null and a warning for a signed-in shopper, the rest whole', () =>
    withShop(async (shop) => {
      shop.health.cart = 'down';
      const { status, headers, body } = await home(shop, await bearer(shop));
      assert.equal(status, 200);
      assertValid(validHome, body);
      assert.equal(body.cart, null);
      assert.deepEqual(
        body.warnings.map((warning) => warning.part),
        ['cart'],
      );
      assert.equal(body.featured.length, 2);
      assert.equal(body.featured[0]?.availability.status, 'in-stock');
      assert.equal(headers.get('warning'), '199 gateway "Partial response"');
    }));

  test('storefront - recommendations failing: no related products and a warning, the product page otherwise whole', () =>
    withShop(async (shop) => {
      // A shopper opened the product through the proxy: its fresh copy is the page's too.
      assert.equal((await fetch(`${shop.url}/api/v1/products/${TURNTABLE.id}`)).status, 200);
      shop.health.catalog = 'down';
      const { status, headers, body } = await page(shop, TURNTABLE.id);
      assert.equal(status, 200, JSON.stringify(body));
      assertValid(validPage, body);
      assert.deepEqual(body.product, TURNTABLE);
      assert.equal(body.priceStale, false, 'a fresh copy');
      assert.deepEqual(body.availability, { status: 'out-of-stock', available: 0 });
      assert.deepEqual(body.related, []);
      assert.deepEqual(
        body.warnings.map((warning) => warning.part),
        ['related'],
      );
      assert.match(body.warnings[0]?.detail ?? '', /^the catalog could not be reached$/);
      assert.equal(headers.get('warning'), '199 gateway "Partial response"');
    }));

  test('storefront - catalog down: the pages come from the stale copies, prices marked stale; with no copy, a 503 problem', () =>
    withShop(
      async (shop) => {
        // Copies of both pages' catalog parts, then the catalog goes.
        assert.equal((await home(shop)).status, 200);
        assert.equal((await page(shop, HEADPHONES.id)).status, 200);
        shop.health.catalog = 'down';

        const front = await home(shop);
        assert.equal(front.status, 200);
        assertValid(validHome, front.body);
        assert.equal(front.body.pricesStale, true);
        assert.deepEqual(front.body.categories, CATEGORIES);
        assert.deepEqual(idsOf(front.body.featured), [HEADPHONES.id, NOVEL.id]);
        assert.equal(front.body.featured[0]?.availability.status, 'in-stock', 'inventory still answers');
        assert.deepEqual(
          front.body.warnings.map((warning) => warning.part),
          ['prices'],
        );
        assert.match(front.body.warnings[0]?.detail ?? '', /the gateway's copy from \d+ s ago: the catalog /);
        assert.match(front.headers.get('warning') ?? '', /^110 gateway "Response is Stale"/);

        const product = await page(shop, HEADPHONES.id);
        assert.equal(product.status, 200);
        assertValid(validPage, product.body);
        assert.equal(product.body.priceStale, true);
        assert.deepEqual(product.body.product, HEADPHONES);
        assert.deepEqual(
          idsOf(product.body.related),
          [SPEAKER.id, TURNTABLE.id],
          'its shelf from the copy too',
        );
        assert.deepEqual(
          product.body.warnings.map((warning) => warning.part),
          ['prices', 'related'],
        );

        const never = await get(shop, `/api/v1/storefront/products/${NOVEL.id}`);
        assert.equal(never.status, 503);
        assert.match(never.headers.get('content-type') ?? '', /application\/problem\+json/);
        const problem = never.body as { code: string; detail: string };
        assert.equal(problem.code, 'UNAVAILABLE');
        assert.match(problem.detail, /no copy of this product/);
        assert.doesNotMatch(problem.detail, /127\.0\.0\.1/, 'no address of the inside');
        assert.ok(never.headers.get('retry-after'));
      },
      // Never fresh: every page asks the catalog, and keeps the copies for when it fails.
      { CACHE_FRESH_MS: '0' },
    ));

  test('storefront - catalog down and never read: the home page is a 503 problem', () =>
    withShop(async (shop) => {
      shop.health.catalog = 'down';
      const { status, headers, body } = await get(shop, '/api/v1/storefront/home');
      assert.equal(status, 503);
      assert.match(headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.match((body as { detail: string }).detail, /no copy of the categories/);
    }));
});
