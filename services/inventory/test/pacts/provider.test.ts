// Inventory against every pact that names it (the gateway's stock lookups for the shop's
// pages): the real service on a throwaway database, each provider state keeping exactly
// the stock its interaction needs, or none.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { verifyHttpPacts } from '@platform/testkit/pact';
import type pg from 'pg';
import { InventoryConfig } from '../../src/config.ts';
import { startInventory } from '../../src/service.ts';

let inventory: ServiceUnderTest;
let pool: pg.Pool;

before(async () => {
  inventory = await startServiceUnderTest('inventory_pacts', (env, issuer) =>
    startInventory(loadConfig(InventoryConfig, { ...env, INVENTORY_SEED: 'false' }), {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  pool = testPool(inventory.database.url);
});
after(async () => {
  await pool.end();
  await inventory.close();
});

interface Level {
  productId: string;
  available: number;
}

/** Stock kept for each product, that many available (on hand, none reserved). */
async function stockOf(params: unknown): Promise<void> {
  for (const { productId, available } of (params as { products: Level[] }).products) {
    await pool.query('DELETE FROM stock WHERE product_id = $1', [productId]);
    await pool.query('INSERT INTO stock (product_id, on_hand, received) VALUES ($1, $2::int, $2::int)', [
      productId,
      available,
    ]);
  }
}

test('inventory keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'inventory',
    baseUrl: inventory.base,
    tokenFor: (consumer) => inventory.issuer.token(['service'], `service:${consumer}`),
    states: {
      'stock of products': stockOf,
      'no stock kept for a product': async (params: unknown) => {
        await pool.query('DELETE FROM stock WHERE product_id = $1', [(params as Level).productId]);
      },
    },
  });
  assert.deepEqual(consumers, ['gateway'], `verified the pacts of ${consumers.join(', ')}`);
});
