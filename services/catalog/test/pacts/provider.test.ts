// The catalog against every pact that names it (its consumers' *.consumer.pact.ts):
// the real service on a throwaway database, each provider state setting up exactly
// the products its interaction needs. Its consumers: the cart (a product by id), the
// order (products looked up together), inventory (the product list, page by page) and
// the gateway (categories, a category's first products, a product by id).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '@platform/chassis';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { verifyHttpPacts } from '@platform/testkit/pact';
import type pg from 'pg';
import { CatalogConfig } from '../../src/config.ts';
import { startCatalog } from '../../src/service.ts';

let catalog: ServiceUnderTest;
let pool: pg.Pool;

before(async () => {
  catalog = await startServiceUnderTest('catalog_pacts', (env) =>
    startCatalog(loadConfig(CatalogConfig, { ...env, CATALOG_SEED: 'false' })),
  );
  pool = testPool(catalog.database.url);
  await pool.query(
    `INSERT INTO categories (id, name, description) VALUES ('kitchen', 'Kitchen', '') ON CONFLICT DO NOTHING`,
  );
});
after(async () => {
  await pool.end();
  await catalog.close();
});

interface ProductState {
  id: string;
  price?: number;
  currency?: string;
  weightGrams?: number;
}

/** A product with this id (and price), as an administrator would have created it. */
async function aProduct(params: unknown): Promise<void> {
  const { id, price = 1250, currency = 'USD', weightGrams } = params as ProductState;
  const attributes = weightGrams === undefined ? {} : { weightGrams };
  await pool.query('DELETE FROM products WHERE id = $1', [id]);
  await pool.query(
    `INSERT INTO products (id, sku, name, price_amount, price_currency, category_id, attributes)
     VALUES ($1, $2, 'Enamel mug', $3, $4, 'kitchen', $5)`,
    [id, `SKU-${id.slice(0, 8)}`, price, currency, JSON.stringify(attributes)],
  );
}

/** Exactly `count` products (none other), so the product list takes count / limit pages. */
async function productsCounting(params: unknown): Promise<void> {
  const { count } = params as { count: number };
  await pool.query('DELETE FROM products');
  await pool.query(
    `INSERT INTO products (sku, name, price_amount, price_currency, category_id)
     SELECT 'PAGE-' || n, 'Product ' || n, 100 * n, 'USD', 'kitchen' FROM generate_series(1, $1::int) AS n`,
    [count],
  );
}

test('the catalog keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'catalog',
    baseUrl: catalog.base,
    tokenFor: (consumer) => catalog.issuer.token(['service'], `service:${consumer}`),
    states: {
      'a product': async (params: unknown) => aProduct(params),
      'no product': async (params: unknown) => {
        await pool.query('DELETE FROM products WHERE id = $1', [(params as ProductState).id]);
      },
      'products filling more than one page': async (params: unknown) => productsCounting(params),
    },
  });
  assert.deepEqual(consumers.toSorted(), ['cart', 'gateway', 'inventory', 'order']);
});
