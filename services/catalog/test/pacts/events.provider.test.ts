// The catalog's product events against every consuming group's pact: the real catalog
// on a throwaway database is driven through its admin API (create, reprice, delete),
// and each pact's message is checked against the event the catalog put in its outbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '@platform/chassis';
import type { catalog } from '@platform/contracts';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { producedData, verifyMessagePacts } from '@platform/testkit/pact';
import { CatalogConfig } from '../../src/config.ts';
import { startCatalog } from '../../src/service.ts';

let service: ServiceUnderTest;

async function asAdmin(method: string, path: string, body?: unknown, etag?: string): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${await service.issuer.token(['admin'])}`,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(etag ? { 'if-match': etag } : {}),
  };
  const response = await fetch(`${service.base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(response.ok, `${method} ${path} answered ${response.status}`);
  return response;
}

before(async () => {
  service = await startServiceUnderTest('catalog_events_pacts', (env) =>
    startCatalog(loadConfig(CatalogConfig, { ...env, CATALOG_SEED: 'false' })),
  );
  const pool = testPool(service.database.url);
  await pool.query(`INSERT INTO categories (id, name, description) VALUES ('kitchen', 'Kitchen', '')`);
  await pool.end();
  // One product's life: every event type the catalog publishes.
  const fields = { name: 'Enamel mug', description: '', category: 'kitchen', attributes: {} };
  const created = await asAdmin('POST', '/api/v1/products', {
    sku: 'MUG-001',
    ...fields,
    price: { amount: 1250, currency: 'USD' },
  });
  const product = (await created.json()) as catalog.Product;
  const path = `/api/v1/products/${product.id}`;
  const repriced = await asAdmin(
    'PUT',
    path,
    { ...fields, price: { amount: 1400, currency: 'USD' } },
    created.headers.get('etag') ?? '',
  );
  await asAdmin('DELETE', path, undefined, repriced.headers.get('etag') ?? '');
});
after(() => service.close());

test("the catalog's events keep every consuming group's pact", async () => {
  const groups = await verifyMessagePacts('catalog', (type) => producedData(service.database.url, type));
  for (const group of ['cart-catalog', 'inventory-catalog']) {
    assert.ok(groups.includes(group), `verified the pacts of ${groups.join(', ')}, not ${group}'s`);
  }
});
