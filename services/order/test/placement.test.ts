// Placing an order, against a real database, bus and catalog: what one POST /orders
// asks of its peers, and what its one transaction writes.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { migrate } from '@platform/chassis';
import type { orders } from '@platform/contracts';
import { testPool } from '@platform/testkit';
import {
  ADDRESS,
  CARD,
  EXPIRED_CARD,
  type Harness,
  NOWHERE,
  startHarness,
  transactionsDuring,
} from './harness.ts';

let harness: Harness;
before(async () => {
  harness = await startHarness('order_place');
});
after(() => harness?.close());

interface Accepted {
  id: string;
  status: string;
  totals: orders.Order['totals'];
  createdAt: string;
  _links: { self: string };
}

const count = (statements: string[], pattern: RegExp) =>
  statements.filter((text) => pattern.test(text)).length;

/** How many requests the catalog has served on `route`. */
async function catalogServed(route: string): Promise<number> {
  const metric = await harness.catalog.metrics.getSingleMetric('http_requests_total')?.get();
  return (metric?.values ?? [])
    .filter((value) => value.labels.route === route)
    .reduce((sum, value) => sum + value.value, 0);
}

test('placement - one transaction records the order once, announces it and asks inventory for the stock', async () => {
  const [first, second] = await harness.products(1_000, 250);
  assert.ok(first && second);
  let placed: Awaited<ReturnType<Harness['place']>> | undefined;
  const transactions = await transactionsDuring(harness.database, async () => {
    placed = await harness.place({
      items: [
        { productId: first.id, quantity: 2 },
        { productId: second.id, quantity: 1 },
      ],
      shippingAddress: ADDRESS,
      payment: CARD,
    });
  });
  assert.equal(placed?.status, 202);
  const accepted = placed?.body as Accepted;
  assert.equal(accepted.status, 'PENDING');
  assert.equal(placed?.headers.get('location'), `/api/v1/orders/${accepted.id}`);
  // 2 x 10.00 + 2.50, GB VAT 20 %, the stand-in's 5.00 shipping.
  assert.deepEqual(accepted.totals, {
    subtotal: 2_250,
    tax: 450,
    shipping: 500,
    total: 3_200,
    currency: 'USD',
  });

  const created = await harness.probe.next((e) => e.type === 'order.created' && e.subject === accepted.id);
  assert.equal((created.data as { placedAt: string }).placedAt, accepted.createdAt);
  const reserve = await harness.command('inventory.reserve-stock', accepted.id);
  assert.deepEqual((reserve.data as { lines: unknown }).lines, [
    { productId: first.id, quantity: 2 },
    { productId: second.id, quantity: 1 },
  ]);
  const [saga] = await harness.sql<{ mode: string; awaiting_command: string; deadline: boolean }>(
    'SELECT mode, awaiting_command, deadline_at IS NOT NULL AS deadline FROM sagas WHERE order_id = $1',
    [accepted.id],
  );
  assert.deepEqual(saga, { mode: 'orchestration', awaiting_command: reserve.id, deadline: true });
  const order = await harness.order(accepted.id);
  assert.equal(order.version, 1);
  assert.deepEqual(
    order.timeline.map((entry) => entry.step),
    ['place-order'],
  );

  const placement = transactions.filter((statements) => count(statements, /INSERT INTO order_events/) > 0);
  assert.equal(placement.length, 1, 'the order is recorded in one transaction');
  const [statements = []] = placement;
  assert.equal(
    count(statements, /INSERT INTO orders\b/),
    1,
    `the projection is written once: ${statements.join('\n---\n')}`,
  );
  // Live status is woken after the commit (a NOTIFY inside would serialise the commit
  // with every notifying one on the server, decision 023), in the COMMIT's message.
  assert.equal(count(statements, /pg_notify/), 0, 'no NOTIFY inside the transaction');
  const woken = transactions[transactions.indexOf(statements) + 1] ?? [];
  assert.match(woken.join(), new RegExp(`^SELECT pg_notify[\\s\\S]*'order_events', '${accepted.id}'`));
  // The command, the order with its saga, order.created, the Idempotency-Key's answer.
  assert.ok(statements.length <= 4, `${statements.length} statements: ${statements.join('\n---\n')}`);
});

test('placement - the catalog is asked once for all the lines of an order, a hundred at a time', async () => {
  const products = await harness.products(100, 200, 300, 400, 500);
  const before = await catalogServed('/internal/products');
  const placed = await harness.place({
    items: products.map((product) => ({ productId: product.id.toUpperCase(), quantity: 1 })),
    shippingAddress: ADDRESS,
    payment: CARD,
  });
  assert.equal(placed.status, 202);
  assert.equal((placed.body as Accepted).totals.subtotal, 1_500);
  assert.equal((await catalogServed('/internal/products')) - before, 1);
  assert.equal(await catalogServed('/api/v1/products/:id'), 0, 'no product is asked for alone');

  // A cart may hold more lines than an order's explicit 50: 101 of them are two lookups.
  const many = await harness.products(...Array.from({ length: 101 }, () => 10));
  const subject = randomUUID();
  harness.peers.carts.set(
    subject,
    many.map(({ id }) => {
      const price = { amount: 10, currency: 'USD' };
      return { productId: id, sku: 's', name: 'n', quantity: 1, unitPrice: price, lineTotal: price };
    }),
  );
  const between = await catalogServed('/internal/products');
  const fromCart = await harness.place(
    { shippingAddress: ADDRESS, payment: CARD },
    { token: await harness.token(subject) },
  );
  assert.equal(fromCart.status, 202);
  assert.equal((fromCart.body as Accepted).totals.subtotal, 1_010);
  assert.equal((await catalogServed('/internal/products')) - between, 2);
});

test('placement - from the cart: a price the catalog changed since the cart showed it is a 409, and nothing is recorded', async () => {
  const [product] = await harness.products(1_999);
  assert.ok(product);
  const subject = crypto.randomUUID();
  const line = (amount: number) => ({
    productId: product.id,
    sku: 's',
    name: 'n',
    quantity: 1,
    unitPrice: { amount, currency: 'USD' },
    lineTotal: { amount, currency: 'USD' },
  });
  harness.peers.carts.set(subject, [line(1_500)]);
  const token = await harness.token(subject);
  const changed = await harness.place({ shippingAddress: ADDRESS, payment: CARD }, { token });
  assert.equal(changed.status, 409);
  assert.equal((changed.body as { code: string }).code, 'PRICE_CHANGED');
  assert.deepEqual((changed.body as { changes: unknown }).changes, [
    { productId: product.id, was: 1_500, now: 1_999 },
  ]);
  assert.deepEqual(await harness.sql('SELECT 1 FROM orders WHERE user_id = $1', [subject]), []);

  harness.peers.carts.set(subject, [line(1_999)]);
  const placed = await harness.place({ shippingAddress: ADDRESS, payment: CARD }, { token });
  assert.equal(placed.status, 202);
  const order = await harness.order((placed.body as Accepted).id);
  assert.equal(order.userId, subject);
  assert.equal(order.items[0]?.weightGrams, 250);
});

test('placement - an unknown product, an address not served or a refused card is a 422 problem, and nothing is recorded', async () => {
  const [product] = await harness.products(700);
  assert.ok(product);
  const items = [{ productId: product.id, quantity: 1 }];
  const cases: Array<[unknown, string]> = [
    [
      {
        items: [...items, { productId: crypto.randomUUID(), quantity: 1 }],
        shippingAddress: ADDRESS,
        payment: CARD,
      },
      'UNKNOWN_PRODUCT',
    ],
    [{ items, shippingAddress: { ...ADDRESS, country: NOWHERE }, payment: CARD }, 'SHIPPING_UNAVAILABLE'],
    [{ items, shippingAddress: ADDRESS, payment: EXPIRED_CARD }, 'CARD_REJECTED'],
  ];
  const subject = crypto.randomUUID();
  const token = await harness.token(subject);
  for (const [body, code] of cases) {
    const refused = await harness.place(body, { token });
    assert.equal(refused.status, 422, code);
    assert.equal((refused.body as { code: string }).code, code);
  }
  assert.deepEqual(await harness.sql('SELECT 1 FROM orders WHERE user_id = $1', [subject]), []);
});

test('placement - an Idempotency-Key: the same request is answered as the first time, one order; another body is a 422', async () => {
  const [product] = await harness.products(1_250);
  assert.ok(product);
  const key = crypto.randomUUID();
  const subject = crypto.randomUUID();
  const token = await harness.token(subject);
  const body = { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS, payment: CARD };
  // The first attempt fails (the address is not served): the key is free for the next.
  const refused = await harness.place(
    { ...body, shippingAddress: { ...ADDRESS, country: NOWHERE } },
    { key, token },
  );
  assert.equal(refused.status, 422);
  const answers = await Promise.all(Array.from({ length: 5 }, () => harness.place(body, { key, token })));
  const first = answers[0]?.body as Accepted;
  for (const answer of answers) {
    assert.equal(answer.status, 202);
    assert.deepEqual(answer.body, first);
    assert.equal(answer.headers.get('location'), `/api/v1/orders/${first.id}`);
  }
  const later = await harness.place(body, { key, token });
  assert.deepEqual(later.body, first);
  assert.equal((await harness.sql('SELECT 1 FROM orders WHERE user_id = $1', [subject])).length, 1);

  const other = await harness.place(
    { ...body, items: [{ productId: product.id, quantity: 2 }] },
    { key, token },
  );
  assert.equal(other.status, 422);
  assert.equal((other.body as { code: string }).code, 'IDEMPOTENCY_KEY_REUSED');
  // A key is the caller's own: another customer's same key is another order.
  const theirs = await harness.place(body, { key, token: await harness.token(crypto.randomUUID()) });
  assert.equal(theirs.status, 202);
  assert.notEqual((theirs.body as Accepted).id, first.id);
});

/** JSON with every object's keys sorted: how a body was fingerprinted before and after the upgrade. */
const sorted = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sorted)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, v]) => [k, sorted(v)]),
        )
      : value;

test('placement - an order answered before Idempotency-Keys moved into the chassis is answered again after it', async () => {
  const subject = randomUUID();
  const key = randomUUID();
  const body = { items: [{ productId: randomUUID(), quantity: 1 }], shippingAddress: ADDRESS, payment: CARD };
  const id = randomUUID();
  const accepted = {
    id,
    status: 'PENDING',
    totals: { subtotal: 100, tax: 20, shipping: 500, total: 620, currency: 'USD' },
    createdAt: '2026-01-01T00:00:00.000Z',
    _links: { self: `/api/v1/orders/${id}` },
  };
  const upgraded = await startHarness('order_upgrade', {}, async (database) => {
    // The order database as it was: migrations 001 and 002, a key answered in their table.
    const old = await mkdtemp(join(tmpdir(), 'order-migrations-'));
    for (const file of ['001_orders.sql', '002_saga_asks.sql']) {
      await copyFile(new URL(`../migrations/${file}`, import.meta.url), join(old, file));
    }
    const pool = testPool(database.url);
    await migrate(pool, old);
    await pool.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, order_id, status_code, response)
       VALUES ($1, $2, $3, $4, 202, $5)`,
      [
        subject,
        key,
        createHash('sha256')
          .update(JSON.stringify(sorted(body)))
          .digest('hex'),
        id,
        accepted,
      ],
    );
    await pool.end();
    await rm(old, { recursive: true });
  });
  try {
    const again = await upgraded.place(body, { key, token: await upgraded.token(subject) });
    assert.equal(again.status, 202);
    assert.deepEqual(again.body, accepted);
    assert.equal(again.headers.get('location'), `/api/v1/orders/${id}`);
    assert.deepEqual(await upgraded.sql('SELECT id FROM orders'), [], 'nothing is placed again');
    assert.deepEqual(await upgraded.sql("SELECT to_regclass('idempotency_keys') AS old"), [{ old: null }]);
  } finally {
    await upgraded.close();
  }
});
