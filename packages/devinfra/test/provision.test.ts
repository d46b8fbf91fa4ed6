import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { adminDatabaseUrl } from '@platform/testkit';
import pg from 'pg';
import { dropDatabase, provisionServiceDatabase } from '../src/index.ts';

const suffix = randomBytes(3).toString('hex');
const orders = { database: `t_orders_${suffix}`, role: `t_orders_${suffix}`, password: 'orders-secret-1' };
const payments = {
  database: `t_payments_${suffix}`,
  role: `t_payments_${suffix}`,
  password: 'payments-secret-1',
};

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

after(async () => {
  const admin = adminDatabaseUrl();
  for (const spec of [orders, payments]) await dropDatabase(admin, spec.database);
  const client = await connect(admin);
  try {
    for (const spec of [orders, payments]) await client.query(`DROP ROLE IF EXISTS ${spec.role}`);
  } finally {
    await client.end();
  }
});

test('database per service - each role opens its own database and no other', async () => {
  const admin = adminDatabaseUrl();
  const ordersUrl = await provisionServiceDatabase(admin, orders);
  const paymentsUrl = await provisionServiceDatabase(admin, payments);

  const own = await connect(ordersUrl);
  await own.query('CREATE TABLE orders (id int PRIMARY KEY)');
  await own.end();

  const trespass = new URL(paymentsUrl);
  trespass.username = orders.role;
  trespass.password = orders.password;
  await assert.rejects(connect(trespass.toString()), (error: { code?: string }) => {
    assert.equal(error.code, '42501', 'insufficient privilege');
    return true;
  });
});

test('database per service - provisioning again is harmless and keeps the data', async () => {
  const admin = adminDatabaseUrl();
  const url = await provisionServiceDatabase(admin, orders);
  const client = await connect(url);
  try {
    const { rows } = await client.query(`SELECT to_regclass('orders') IS NOT NULL AS present`);
    assert.deepEqual(rows, [{ present: true }]);
  } finally {
    await client.end();
  }
});

test('database per service - names that are not plain identifiers are refused', async () => {
  await assert.rejects(
    provisionServiceDatabase(adminDatabaseUrl(), {
      database: 'x; DROP DATABASE postgres',
      role: 'x',
      password: 'p',
    }),
    /not a safe PostgreSQL identifier/,
  );
});
