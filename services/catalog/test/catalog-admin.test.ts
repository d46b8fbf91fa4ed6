import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { catalog } from '@platform/contracts';
import {
  assertRefused,
  createTestDatabase,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  UNSTORABLE_TEXT,
  undocumentedAnswers,
} from '@platform/testkit';
import pg from 'pg';
import { CatalogConfig } from '../src/config.ts';
import { startCatalog } from '../src/service.ts';

let database: TestDatabase;
let busDatabase: TestDatabase;
let issuer: TestIssuer;
let service: Service;
let base: string;
let admin: Record<string, string>;
/** For DELETE: a JSON content type with no body is a 400, as it should be. */
let adminNoBody: Record<string, string>;

before(async () => {
  database = await createTestDatabase('catalog_admin');
  busDatabase = await createTestDatabase('catalog_admin_bus');
  issuer = await startTestIssuer();
  service = await startCatalog(
    loadConfig(CatalogConfig, {
      DATABASE_URL: database.url,
      BUS_DATABASE_URL: busDatabase.url,
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'silent',
    }),
  );
  base = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
  adminNoBody = { authorization: `Bearer ${await issuer.token(['admin'])}` };
  admin = { ...adminNoBody, 'content-type': 'application/json' };
});
after(async () => {
  await service.shutdown('test over');
  await database.drop();
  await busDatabase.drop();
  await issuer.close();
});

async function outboxTypes(productId: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT type FROM outbox WHERE envelope->>'subject' = $1 ORDER BY id`,
      [productId],
    );
    return rows.map((row) => row.type);
  } finally {
    await client.end();
  }
}

const lamp = {
  sku: 'HOM-TEST-01',
  name: 'Test Lamp',
  price: { amount: 4_999, currency: 'USD' },
  category: 'home',
};

test('catalog admin - create, then replace with If-Match, then delete; each change publishes its event', async () => {
  const created = await fetch(`${base}/api/v1/products`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify(lamp),
  });
  assert.equal(created.status, 201);
  const product = (await created.json()) as catalog.Product;
  assert.equal(created.headers.get('location'), `/api/v1/products/${product.id}`);
  const etag = created.headers.get('etag') ?? '';
  assert.equal(product.version, 1);
  assert.equal(product.description, '');

  const replaced = await fetch(`${base}/api/v1/products/${product.id}`, {
    method: 'PUT',
    headers: { ...admin, 'if-match': etag },
    body: JSON.stringify({
      ...lamp,
      sku: undefined,
      name: 'Test Lamp II',
      price: { amount: 3_999, currency: 'USD' },
    }),
  });
  assert.equal(replaced.status, 200);
  const updated = (await replaced.json()) as catalog.Product;
  assert.equal(updated.version, 2);
  assert.notEqual(replaced.headers.get('etag'), etag);

  const stale = await fetch(`${base}/api/v1/products/${product.id}`, {
    method: 'DELETE',
    headers: { ...adminNoBody, 'if-match': etag },
  });
  assert.equal(stale.status, 412, 'a stale ETag is refused');
  const deleted = await fetch(`${base}/api/v1/products/${product.id}`, {
    method: 'DELETE',
    headers: { ...adminNoBody, 'if-match': replaced.headers.get('etag') ?? '' },
  });
  assert.equal(deleted.status, 204);
  assert.equal((await fetch(`${base}/api/v1/products/${product.id}`)).status, 404);

  assert.deepEqual(await outboxTypes(product.id), [
    'catalog.product.created',
    'catalog.product.updated',
    'catalog.product.price-changed',
    'catalog.product.deleted',
  ]);
});

test('catalog admin - a change without If-Match is 428; a rename without a new price publishes no price change', async () => {
  const created = await fetch(`${base}/api/v1/products`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ ...lamp, sku: 'HOM-TEST-02' }),
  });
  const product = (await created.json()) as catalog.Product;
  const body = JSON.stringify({ name: 'Renamed', price: lamp.price, category: 'home' });
  const missing = await fetch(`${base}/api/v1/products/${product.id}`, {
    method: 'PUT',
    headers: admin,
    body,
  });
  assert.equal(missing.status, 428);
  const renamed = await fetch(`${base}/api/v1/products/${product.id}`, {
    method: 'PUT',
    headers: { ...admin, 'if-match': created.headers.get('etag') ?? '' },
    body,
  });
  assert.equal(renamed.status, 200);
  assert.deepEqual(await outboxTypes(product.id), ['catalog.product.created', 'catalog.product.updated']);
});

test('catalog admin - a taken SKU is 409, an unknown category 422, and nothing is written', async () => {
  const first = await fetch(`${base}/api/v1/products`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ ...lamp, sku: 'HOM-TEST-03' }),
  });
  assert.equal(first.status, 201);
  const again = await fetch(`${base}/api/v1/products`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ ...lamp, sku: 'HOM-TEST-03' }),
  });
  assert.equal(again.status, 409);
  const nowhere = await fetch(`${base}/api/v1/products`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ ...lamp, sku: 'HOM-TEST-04', category: 'no-such-aisle' }),
  });
  assert.equal(nowhere.status, 422);
  const bySku = async (sku: string) => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS n FROM products WHERE sku = $1', [sku]);
    await client.end();
    return rows[0].n as number;
  };
  assert.equal(await bySku('HOM-TEST-03'), 1, 'the duplicate was not written');
  assert.equal(await bySku('HOM-TEST-04'), 0, 'the product with no category was not written');
});

test('catalog admin - a price past 1 000 000.00, a number sent as a string, or unstorable text is 400; nothing is written', async () => {
  const create = (product: Record<string, unknown>) =>
    fetch(`${base}/api/v1/products`, { method: 'POST', headers: admin, body: JSON.stringify(product) });
  const cases: Array<[Record<string, unknown>, string]> = [
    [
      { ...lamp, sku: 'HOM-TEST-05', price: { amount: catalog.MAX_PRICE + 1, currency: 'USD' } },
      'price.amount',
    ],
    [{ ...lamp, sku: 'HOM-TEST-05', price: { amount: 1e21, currency: 'USD' } }, 'price.amount'],
    [{ ...lamp, sku: 'HOM-TEST-05', price: { amount: '4999', currency: 'USD' } }, 'price.amount'],
    [{ ...lamp, sku: 'HOM-TEST-05', name: UNSTORABLE_TEXT.nul }, 'name'],
    [{ ...lamp, sku: 'HOM-TEST-05', description: UNSTORABLE_TEXT.surrogate }, 'description'],
    [{ ...lamp, sku: 'HOM-TEST-05', attributes: { colour: UNSTORABLE_TEXT.nul } }, 'attributes.colour'],
    [{ ...lamp, sku: 'HOM-TEST-05', attributes: { colour: 'x'.repeat(501) } }, 'attributes.colour'],
  ];
  for (const [product, field] of cases) await assertRefused(await create(product), 'body', field);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query("SELECT count(*)::int AS n FROM products WHERE sku = 'HOM-TEST-05'");
  await client.end();
  assert.equal(rows[0].n, 0);
  assert.equal(
    (await create({ ...lamp, sku: 'HOM-TEST-05', price: { amount: catalog.MAX_PRICE, currency: 'USD' } }))
      .status,
    201,
  );
});

test('catalog admin - every answer above is one the OpenAPI document lists; DELETE is documented 204', async () => {
  const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  const remove = document.paths['/api/v1/products/{id}']?.delete?.responses ?? {};
  assert.ok(remove['204'] && !remove['200'], 'DELETE answers 204, and only that on success');
  assert.deepEqual(await undocumentedAnswers(base), []);
});
