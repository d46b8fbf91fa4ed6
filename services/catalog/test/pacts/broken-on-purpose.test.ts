// The contract tests checked once by breaking the catalog on purpose: a catalog that
// renames `sku`, a field the cart reads, must fail the cart's pact (and only because
// of that: the same catalog unbroken keeps it), and so must product events that
// rename it. The failure names the pact, as CI would print it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { loadConfig } from '@platform/chassis';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { type ProviderStates, verifyHttpPacts, verifyMessagePacts } from '@platform/testkit/pact';
import { CatalogConfig } from '../../src/config.ts';
import { startCatalog } from '../../src/service.ts';

let catalog: ServiceUnderTest;
let renaming: Server;
let renamingUrl: string;

/** `sku` renamed to `stockKeepingUnit` in a JSON body: the breaking change. */
function renameSku(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renameSku);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key === 'sku' ? 'stockKeepingUnit' : key, renameSku(field)]),
  );
}

before(async () => {
  catalog = await startServiceUnderTest('catalog_broken', (env) =>
    startCatalog(loadConfig(CatalogConfig, { ...env, CATALOG_SEED: 'false' })),
  );
  // The catalog as it would answer after the rename: every answer passed through it.
  renaming = createServer(async (request, response) => {
    const upstream = await fetch(`${catalog.base}${request.url}`, {
      headers: { authorization: request.headers.authorization ?? '' },
    });
    const text = await upstream.text();
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'text/plain',
    });
    response.end(
      text && upstream.headers.get('content-type')?.includes('json')
        ? JSON.stringify(renameSku(JSON.parse(text)))
        : text,
    );
  });
  renaming.listen(0, '127.0.0.1');
  await once(renaming, 'listening');
  renamingUrl = `http://127.0.0.1:${(renaming.address() as { port: number }).port}`;
});
after(async () => {
  renaming.close();
  await catalog.close();
});

const states: ProviderStates = {
  'a product': async (params) => {
    const { id } = params as { id: string };
    const pool = testPool(catalog.database.url);
    try {
      await pool.query(
        `INSERT INTO categories (id, name, description) VALUES ('kitchen', 'Kitchen', '') ON CONFLICT DO NOTHING`,
      );
      await pool.query(
        `INSERT INTO products (id, sku, name, price_amount, price_currency, category_id)
         VALUES ($1, 'MUG-001', 'Enamel mug', 1250, 'USD', 'kitchen') ON CONFLICT (id) DO NOTHING`,
        [id],
      );
    } finally {
      await pool.end();
    }
  },
  'no product': async () => undefined,
};

const asCart = (baseUrl: string) => ({
  provider: 'catalog',
  only: 'cart',
  baseUrl,
  states,
  tokenFor: (consumer: string) => catalog.issuer.token(['service'], `service:${consumer}`),
});

test("the cart's pact holds against the catalog as it is", async () => {
  assert.deepEqual(await verifyHttpPacts(asCart(catalog.base)), ['cart']);
});

test("a catalog that renames sku fails the cart's pact, by name", async () => {
  await assert.rejects(verifyHttpPacts(asCart(renamingUrl)), /the pact "cart → catalog" fails/);
});

test("product events that rename sku fail cart-catalog's pact, by name", async () => {
  const product = {
    productId: '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e',
    sku: 'MUG-001',
    name: 'Enamel mug',
    price: { amount: 1250, currency: 'USD' },
    previousPrice: { amount: 1000, currency: 'USD' },
    category: 'kitchen',
    version: 2,
  };
  const asProduced = async () => product;
  assert.deepEqual(await verifyMessagePacts('catalog', asProduced, { only: 'cart-catalog' }), [
    'cart-catalog',
  ]);
  await assert.rejects(
    verifyMessagePacts('catalog', async () => renameSku(product), { only: 'cart-catalog' }),
    /the pact "cart-catalog → catalog-events" fails/,
  );
});
