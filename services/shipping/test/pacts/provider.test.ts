// Shipping against every pact that names it (the gateway's look-up of an order's
// shipments for its details): the real service on a throwaway database, each provider
// state leaving exactly the shipment its interaction needs, or none. The order
// service's calls to shipping are gRPC, held to their contract by buf, not by a pact.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { verifyHttpPacts } from '@platform/testkit/pact';
import type pg from 'pg';
import { ShippingConfig } from '../../src/config.ts';
import { startShipping } from '../../src/service.ts';
import { insertShipment } from '../../src/store.ts';

/** The shopper the gateway's requests act for here: the shipments are theirs. */
const SHOPPER = randomUUID();
const HOUR_MS = 3_600_000;

let shipping: ServiceUnderTest;
let pool: pg.Pool;

before(async () => {
  shipping = await startServiceUnderTest('shipping_pacts', (env, issuer) =>
    startShipping(loadConfig(ShippingConfig, env), {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  pool = testPool(shipping.database.url);
});
after(async () => {
  await pool.end();
  await shipping.close();
});

async function noShipment(orderId: string): Promise<void> {
  await pool.query(
    'DELETE FROM shipment_history WHERE shipment_id IN (SELECT id FROM shipments WHERE order_id = $1)',
    [orderId],
  );
  await pool.query('DELETE FROM shipments WHERE order_id = $1', [orderId]);
}

/** A SCHEDULED shipment of the shopper's order, its carrier's first step an hour away. */
async function aShipment(orderId: string): Promise<void> {
  await noShipment(orderId);
  await insertShipment(pool, {
    orderId,
    userId: SHOPPER,
    trackingNumber: `TRK-${orderId.slice(0, 8).toUpperCase()}`,
    address: {
      name: 'Ada Lovelace',
      line1: '1 Analytical Way',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    },
    lines: [{ productId: randomUUID(), quantity: 1, weightGrams: 500 }],
    weightGrams: 500,
    stepMs: HOUR_MS,
    correlationId: undefined,
  });
}

const orderOf = (params: unknown) => (params as { orderId: string }).orderId;

test('shipping keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'shipping',
    baseUrl: shipping.base,
    // The gateway passes on the shopper's own token.
    tokenFor: () => shipping.issuer.token(['customer'], SHOPPER),
    states: {
      'a shipment of an order of the shopper': (params) => aShipment(orderOf(params)),
      'no shipment of an order': (params) => noShipment(orderOf(params)),
    },
  });
  assert.deepEqual(consumers, ['gateway'], `verified the pacts of ${consumers.join(', ')}`);
});
