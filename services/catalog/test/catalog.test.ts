import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLogger, createPool, loadConfig, type Pool, type Service } from '@platform/chassis';
import type { catalog } from '@platform/contracts';
import {
  assertPagingBounds,
  assertRefused,
  createTestDatabase,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  undocumentedAnswers,
  validateOpenApi,
} from '@platform/testkit';
import { CatalogConfig } from '../src/config.ts';
import { seedCatalog, seedProducts } from '../src/seed/seed.ts';
import { startCatalog } from '../src/service.ts';

let busDatabase: TestDatabase;
let issuer: TestIssuer;
before(async () => {
  busDatabase = await createTestDatabase('catalog_bus');
  issuer = await startTestIssuer();
});
after(async () => {
  await busDatabase.drop();
  await issuer.close();
});

async function startOn(database: TestDatabase, seed: boolean) {
  const config = loadConfig(CatalogConfig, {
    DATABASE_URL: database.url,
    BUS_DATABASE_URL: busDatabase.url,
    IDENTITY_JWKS_URL: issuer.jwksUrl,
    LOG_LEVEL: 'silent',
    CATALOG_SEED: String(seed),
  });
  const service = await startCatalog(config);
  return { service, url: (service.app.server.address() as { port: number }).port };
}

async function get<T>(base: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  return { response, body: (response.status === 304 ? null : await response.json()) as T };
}

describe('catalog with the demo data', () => {
  let database: TestDatabase;
  let service: Service;
  let base: string;

  before(async () => {
    database = await createTestDatabase('catalog_seeded');
    const started = await startOn(database, true);
    service = started.service;
    base = `http://127.0.0.1:${started.url}`;
  });
  after(async () => {
    await service.shutdown('test over');
    await database.drop();
  });

  test('catalog - the seed has at least 200 products in at least 8 categories', async () => {
    const { body } = await get<catalog.CategoryList>(base, '/api/v1/categories');
    assert.ok(body.data.length >= 8);
    const total = body.data.reduce((sum, category) => sum + category.productCount, 0);
    assert.ok(total >= 200, `${total} products`);
    const page = await get<catalog.ProductPage>(base, '/api/v1/products');
    assert.equal(page.body.pagination.total, total);
  });

  test('catalog - the seed loads once: a restart and concurrent seeders add nothing', async () => {
    const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
    const pool = createPool({ url: database.url, applicationName: 'test', log });
    try {
      const results = await Promise.all([seedCatalog(pool), seedCatalog(pool)]);
      assert.deepEqual(results, [{ inserted: 0 }, { inserted: 0 }]);
      const { rows } = await pool.query('SELECT count(*) AS n FROM products');
      assert.equal(rows[0].n, seedProducts().length);
    } finally {
      await pool.end();
    }
  });

  test('catalog - a word prefix finds products ("head" finds Headphones)', async () => {
    const { body } = await get<catalog.ProductPage>(base, '/api/v1/products?q=head&limit=100');
    assert.ok(body.data.length > 0);
    for (const product of body.data) assert.match(`${product.name} ${product.description}`, /\bhead/i);
    assert.ok(body.data.some((product) => /Headphones/.test(product.name)));
  });

  test('catalog - the category filter returns only that category, with its full count', async () => {
    const categories = (await get<catalog.CategoryList>(base, '/api/v1/categories')).body.data;
    const audio = categories.find((category) => category.id === 'audio');
    assert.ok(audio);
    const { body } = await get<catalog.ProductPage>(base, '/api/v1/products?category=audio&limit=100');
    assert.equal(body.pagination.total, audio.productCount);
    assert.ok(body.data.every((product) => product.category === 'audio'));
    const combined = await get<catalog.ProductPage>(base, '/api/v1/products?category=kitchen&q=head');
    assert.equal(combined.body.pagination.total, 0, 'no headphones in the kitchen');
  });

  test('catalog - pagination: default 20, links between pages, last page has no next', async () => {
    const first = (await get<catalog.ProductPage>(base, '/api/v1/products?category=audio')).body;
    assert.equal(first.data.length, 20);
    assert.deepEqual(
      { ...first.pagination, total: 0 },
      { page: 1, limit: 20, total: 0, totalPages: first.pagination.totalPages },
    );
    assert.equal(first._links.prev, null);
    assert.equal(first._links.self, '/api/v1/products?category=audio&page=1&limit=20');
    assert.equal(first._links.next, '/api/v1/products?category=audio&page=2&limit=20');

    const second = (await get<catalog.ProductPage>(base, first._links.next ?? '')).body;
    assert.equal(second.pagination.page, 2);
    assert.equal(second._links.next, null, 'audio has 24 products: page 2 is the last');
    assert.equal(second._links.prev, '/api/v1/products?category=audio&page=1&limit=20');
    assert.equal(second.data.length, first.pagination.total - 20);
    const seen = new Set([...first.data, ...second.data].map((product) => product.id));
    assert.equal(seen.size, first.pagination.total, 'pages neither repeat nor skip a product');

    const beyond = (await get<catalog.ProductPage>(base, '/api/v1/products?category=audio&page=9')).body;
    assert.deepEqual(beyond.data, []);
  });

  test('catalog - limit above 100, zero, or a page below 1 is a 400 problem', async () => {
    for (const query of ['limit=101', 'limit=0', 'page=0', 'limit=ten']) {
      const response = await fetch(`${base}/api/v1/products?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      await response.body?.cancel();
    }
    assert.equal((await get<catalog.ProductPage>(base, '/api/v1/products?limit=100')).body.data.length, 100);
  });

  test('catalog - a NUL or unstorable text in ?category= or ?q= is a 400 naming it, not a 500', async () => {
    for (const query of ['category=%00', 'category=audio%00', 'category=%ED%A0%80', 'q=head%00phones']) {
      const [name = ''] = query.split('=');
      await assertRefused(await fetch(`${base}/api/v1/products?${query}`), 'querystring', name);
    }
  });

  test('catalog - the product list refuses paging past page 1000 or not in decimal digits', async () => {
    await assertPagingBounds((query) => fetch(`${base}/api/v1/products?${query}`));
  });

  test('catalog - a product has an ETag; If-None-Match with it gives 304', async () => {
    const [product] = (await get<catalog.ProductPage>(base, '/api/v1/products?limit=1')).body.data;
    assert.ok(product);
    const { response, body } = await get<catalog.Product>(base, `/api/v1/products/${product.id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(body, product);
    const etag = response.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]+"$/);

    const revalidated = await fetch(`${base}/api/v1/products/${product.id}`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.headers.get('etag'), etag);
    assert.equal(await revalidated.text(), '');

    const stale = await fetch(`${base}/api/v1/products/${product.id}`, {
      headers: { 'if-none-match': '"old"' },
    });
    assert.equal(stale.status, 200);
    await stale.body?.cancel();
  });

  test('catalog - an unknown product is a 404 problem; a malformed id a 400', async () => {
    const missing = await fetch(`${base}/api/v1/products/00000000-0000-4000-8000-000000000000`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'PRODUCT_NOT_FOUND');
    const malformed = await fetch(`${base}/api/v1/products/not-a-uuid`);
    assert.equal(malformed.status, 400);
    await malformed.body?.cancel();
  });

  test('catalog - every product picture is served', async () => {
    const [product] = (await get<catalog.ProductPage>(base, '/api/v1/products?limit=1')).body.data;
    const image = await fetch(`${base}${product?.imageUrl}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/svg+xml');
    assert.match(await image.text(), /^<svg/);
  });

  test('catalog - OpenAPI 3.1 describes the public routes, not the internal ones', async () => {
    const { body } = await get<{ openapi: string; paths: Record<string, unknown> }>(base, '/openapi.json');
    assert.equal(body.openapi, '3.1.0');
    await validateOpenApi(body);
    assert.ok(body.paths['/api/v1/products']);
    assert.ok(body.paths['/api/v1/products/{id}']);
    assert.ok(body.paths['/api/v1/categories']);
    assert.equal(body.paths['/metrics'], undefined);
  });

  test('catalog - readiness reports the database and the bus', async () => {
    const { response, body } = await get<{ status: string; checks: Record<string, string>; pid: number }>(
      base,
      '/readyz',
    );
    assert.equal(response.status, 200);
    assert.deepEqual(body, { status: 'ready', checks: { database: 'ok', bus: 'ok' }, pid: process.pid });
  });

  test('catalog - only an admin can change the catalog', async () => {
    const body = JSON.stringify({
      sku: 'FREE-LUNCH',
      name: 'Free lunch',
      price: { amount: 0, currency: 'USD' },
      category: 'kitchen',
    });
    const post = (token?: string) =>
      fetch(`${base}/api/v1/products`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
    assert.equal((await post()).status, 401);
    assert.equal((await post(await issuer.token(['customer']))).status, 403);
    assert.equal((await post(await issuer.token(['service']))).status, 403);
  });

  test('catalog - products looked up together: those found, once each, in the order asked; unknown ids left out', async () => {
    const { body: page } = await get<catalog.ProductPage>(base, '/api/v1/products?limit=3');
    const [a, b, c] = page.data;
    assert.ok(a && b && c);
    const headers = { authorization: `Bearer ${await issuer.token(['service'])}` };
    const ids = [c.id, randomUUID(), a.id, c.id];
    const { response, body } = await get<catalog.ProductList>(
      base,
      `/internal/products?${ids.map((id) => `id=${id}`).join('&')}`,
      headers,
    );
    assert.equal(response.status, 200);
    assert.deepEqual(body.data, [c, a]);
    const one = await get<catalog.ProductList>(base, `/internal/products?id=${b.id}`, headers);
    assert.deepEqual(one.body.data, [b]);
  });

  test('catalog - a lookup with a malformed id, none, or more than 100 is a 400 problem naming id; only services may ask', async () => {
    const headers = { authorization: `Bearer ${await issuer.token(['service'])}` };
    const tooMany = Array.from({ length: 101 }, () => `id=${randomUUID()}`).join('&');
    for (const [query, name] of [
      ['id=not-a-uuid', 'id.0'],
      ['', 'id'],
      [tooMany, 'id'],
    ]) {
      const response = await fetch(`${base}/internal/products?${query}`, { headers });
      await assertRefused(response, 'querystring', name ?? '');
    }
    const customer = { authorization: `Bearer ${await issuer.token(['customer'])}` };
    assert.equal(
      (await fetch(`${base}/internal/products?id=${randomUUID()}`, { headers: customer })).status,
      403,
    );
    assert.equal((await fetch(`${base}/internal/products?id=${randomUUID()}`)).status, 401);
    type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
    const { body } = await get<{ paths: Record<string, { get: Operation }> }>(base, '/openapi.json');
    const lookup = body.paths['/internal/products']?.get;
    assert.ok(lookup, 'the lookup is in the document');
    for (const status of ['400', '401', '403']) {
      assert.ok(lookup.responses[status]?.content?.['application/problem+json'], status);
    }
  });

  test('catalog - every answer above is one its OpenAPI document lists', async () => {
    assert.deepEqual(await undocumentedAnswers(base), []);
  });
});

describe('catalog search ranking', () => {
  let database: TestDatabase;
  let service: Service;
  let base: string;
  let pool: Pool;

  before(async () => {
    database = await createTestDatabase('catalog_rank');
    const started = await startOn(database, false);
    service = started.service;
    base = `http://127.0.0.1:${started.url}`;
    const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
    pool = createPool({ url: database.url, applicationName: 'test', log });
    await pool.query(`INSERT INTO categories (id, name) VALUES ('audio', 'Audio'), ('home', 'Home')`);
    await pool.query(`INSERT INTO products (sku, name, description, price_amount, price_currency, category_id, attributes) VALUES
      ('A', 'Cable Organizer', 'Keeps your headphones and chargers tidy.', 999, 'USD', 'home', '{}'),
      ('B', 'Studio Headphones', 'Closed-back monitoring headphones for mixing.', 19900, 'USD', 'audio', '{}'),
      ('C', 'Desk Lamp', 'A warm light for late nights.', 2900, 'USD', 'home', '{"brand": "Headway"}')`);
  });
  after(async () => {
    await pool.end();
    await service.shutdown('test over');
    await database.drop();
  });

  test('catalog - a match in the name outranks one in the attributes, which outranks the description', async () => {
    const { body } = await get<catalog.ProductPage>(base, '/api/v1/products?q=head');
    assert.deepEqual(
      body.data.map((product) => product.sku),
      ['B', 'C', 'A'],
    );
  });

  test('catalog - every word must match', async () => {
    const { body } = await get<catalog.ProductPage>(base, '/api/v1/products?q=studio%20head');
    assert.deepEqual(
      body.data.map((product) => product.sku),
      ['B'],
    );
    const none = await get<catalog.ProductPage>(base, '/api/v1/products?q=%26%7C!');
    assert.equal(none.body.pagination.total, 0);
  });
});
