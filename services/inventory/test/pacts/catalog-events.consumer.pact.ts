// What inventory's `inventory-catalog` group needs of the catalog's product events: a
// created product gets a stock row, a deleted one loses it (unless reserved). The
// handler reads only `productId`; the rest is what the contract requires. Each message
// is delivered to the real inventory over its real bus and must be handled (an inbox
// row, no dead letter) with that effect on its stock; the catalog's verification
// replays these pacts against the events it really publishes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import {
  consumerPact,
  eventsOf,
  type MessageDelivery,
  messageExample,
  type PactMessage,
  startMessageDelivery,
} from '@platform/testkit/pact';
import type pg from 'pg';
import { InventoryConfig } from '../../src/config.ts';
import { startInventory } from '../../src/service.ts';

const GROUP = 'inventory-catalog';

let inventory: ServiceUnderTest;
let delivery: MessageDelivery;
let db: pg.Pool;
before(async () => {
  inventory = await startServiceUnderTest('inventory_pacts', (env, issuer) =>
    // No seed: the catalog's events alone make the stock rows here.
    startInventory(loadConfig(InventoryConfig, { ...env, INVENTORY_SEED: 'false' }), {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  delivery = await startMessageDelivery(inventory.busUrl, inventory.database.url);
  db = testPool(inventory.database.url, 1);
});
after(async () => {
  await db.end();
  await delivery.close();
  await inventory.close();
});

async function hasStockRow(message: PactMessage): Promise<boolean> {
  const { productId } = message.contents.content as { productId: string };
  const { rowCount } = await db.query('SELECT 1 FROM stock WHERE product_id = $1', [productId]);
  return rowCount === 1;
}

/** The pact's interaction for `type`, delivered; `then` checks what it did to the stock. */
async function expectHandled(type: EventType, then: (message: PactMessage) => Promise<void>): Promise<void> {
  await consumerPact(GROUP, eventsOf('catalog'))
    .addAsynchronousInteraction()
    .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type)))
    .executeTest(async (message) => {
      await delivery.deliver(GROUP, type, message);
      await then(message);
    });
}

// In this order: the product the pact's example names is created, then deleted.
test(`${GROUP} keeps a stock row for a created product`, async () => {
  await expectHandled('catalog.product.created', async (message) => {
    assert.ok(await hasStockRow(message), 'a created product has a stock row');
  });
});

test(`${GROUP} drops the stock row of a deleted product`, async () => {
  await expectHandled('catalog.product.deleted', async (message) => {
    assert.ok(!(await hasStockRow(message)), 'a deleted, unreserved product has no stock row');
  });
});
