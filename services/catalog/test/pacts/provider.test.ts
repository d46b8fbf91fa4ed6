// The catalog against every pact that names it (its consumers' *.consumer.pact.ts):
// the real service on a throwaway database, each provider state setting up exactly
// the products its interaction needs.
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
    },
  });
  assert.ok(consumers.includes('cart'), `verified the pacts of ${consumers.join(', ')}`);
});
