// The order service's edge: inputs that once reached PostgreSQL and answered 500 are
// refused with a 400 problem before any peer is called or anything is stored.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import {
  assertPagingBounds,
  assertRefused,
  type ServiceUnderTest,
  startServiceUnderTest,
  testPool,
  UNSTORABLE_TEXT,
} from '@platform/testkit';
import { OrderConfig } from '../src/config.ts';
import { startOrder } from '../src/service.ts';

let order: ServiceUnderTest;
let base: string;
let token: string;

before(async () => {
  // No peers: every case here must be refused before the order service calls one.
  order = await startServiceUnderTest('order_input', (env, issuer) =>
    startOrder(loadConfig(OrderConfig, env), {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  base = order.base;
  token = await order.issuer.token(['customer'], randomUUID());
});
after(() => order.close());

const address = { name: 'Ada', line1: '1 Main Street', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const payment = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

function place(body: unknown, contentType = 'application/json') {
  return fetch(`${base}/api/v1/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': contentType,
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify(body),
  });
}

test('order - a NUL or a lone surrogate in the shipping address is a 400 naming the field; nothing is stored', async () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ ...address, line1: `1 Main${UNSTORABLE_TEXT.nul}` }, 'shippingAddress.line1'],
    [{ ...address, city: UNSTORABLE_TEXT.surrogate }, 'shippingAddress.city'],
    [{ ...address, line2: 'Flat \udfff' }, 'shippingAddress.line2'],
    [{ ...address, name: UNSTORABLE_TEXT.nul }, 'shippingAddress.name'],
  ];
  for (const [shippingAddress, field] of cases) {
    await assertRefused(await place({ shippingAddress, payment }), 'body', field);
  }
  const pool = testPool(order.database.url);
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM order_events');
  await pool.end();
  assert.equal(rows[0].n, 0);
});

test('order - item quantities "5", true or [1] are not numbers: 400 naming the line', async () => {
  for (const quantity of ['5', true, [1]]) {
    const items = [{ productId: randomUUID(), quantity }];
    await assertRefused(
      await place({ items, shippingAddress: address, payment }),
      'body',
      'items.0.quantity',
    );
  }
});

test('order - an order in a charset other than UTF-8 is a 415 problem', async () => {
  const response = await place({ shippingAddress: address, payment }, 'application/json; charset=utf-16');
  assert.equal(response.status, 415);
  assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/problem+json');
});

test('order - my orders list refuses paging past page 1000 or not in decimal digits', async () => {
  await assertPagingBounds((query) =>
    fetch(`${base}/api/v1/orders?${query}`, { headers: { authorization: `Bearer ${token}` } }),
  );
});
