// The order service against every pact that names it (the gateway's look-up of an
// order for its details): the real service on a throwaway database, each provider
// state leaving exactly the order its interaction needs, or none. An order is written
// as the service writes it, its OrderPlaced event and projection (store.ts), with no
// saga row, so nothing moves it on while it is looked at.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { verifyHttpPacts } from '@platform/testkit/pact';
import type pg from 'pg';
import { OrderConfig } from '../../src/config.ts';
import { startOrder } from '../../src/service.ts';
import { writeOrder } from '../../src/store.ts';

/** The shopper the gateway's requests act for here: the orders are theirs. */
const SHOPPER = randomUUID();

let order: ServiceUnderTest;
let pool: pg.Pool;

before(async () => {
  order = await startServiceUnderTest('order_pacts', (env, issuer) =>
    startOrder(loadConfig(OrderConfig, env), {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  pool = testPool(order.database.url);
});
after(async () => {
  await pool.end();
  await order.close();
});

async function noOrder(id: string): Promise<void> {
  await pool.query('DELETE FROM order_events WHERE order_id = $1', [id]);
  await pool.query('DELETE FROM orders WHERE id = $1', [id]);
}

/** The shopper's order of two mugs, just placed. */
async function anOrder(id: string): Promise<void> {
  await noOrder(id);
  const mug = { amount: 1250, currency: 'USD' };
  await writeOrder(pool, id, undefined, {
    events: [
      {
        type: 'OrderPlaced',
        data: {
          userId: SHOPPER,
          items: [
            {
              productId: randomUUID(),
              sku: 'MUG-001',
              name: 'Enamel mug',
              quantity: 2,
              unitPrice: mug,
              weightGrams: 250,
            },
          ],
          totals: { subtotal: 2500, tax: 0, shipping: 499, total: 2999, currency: 'USD' },
          shippingAddress: {
            name: 'Ada Lovelace',
            line1: '1 Analytical Way',
            city: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          },
          card: { brand: 'visa', last4: '4242' },
          paymentMethodId: 'pm_card_visa',
          sagaMode: 'orchestration',
          fromCart: false,
        },
      },
    ],
  });
}

const idOf = (params: unknown) => (params as { id: string }).id;

test('the order service keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'order',
    baseUrl: order.base,
    // The gateway passes on the shopper's own token.
    tokenFor: () => order.issuer.token(['customer'], SHOPPER),
    states: {
      'an order of the shopper': (params) => anOrder(idOf(params)),
      'no order': (params) => noOrder(idOf(params)),
    },
  });
  assert.deepEqual(consumers, ['gateway'], `verified the pacts of ${consumers.join(', ')}`);
});
