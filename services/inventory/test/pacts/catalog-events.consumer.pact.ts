// What inventory's `inventory-catalog` group needs of the catalog's product events: a
// created product gets a stock row, a deleted one loses it (unless reserved). The
// handler reads only `productId`; the rest is what the contract requires. Each message
// is delivered to the real inventory and must be handled with that effect on its
// stock; the catalog's verification replays these pacts against the events it really
// publishes. In this order: the product the pact's example names is created, then deleted.
import assert from 'node:assert/strict';
import { inventoryHears } from './messages.ts';

const GROUP = 'inventory-catalog';

inventoryHears('catalog', [
  {
    group: GROUP,
    type: 'catalog.product.created',
    title: `${GROUP} keeps a stock row for a created product`,
    verify: async (content, inventory) =>
      assert.ok(
        await inventory.hasStockRow(content.productId as string),
        'a created product has a stock row',
      ),
  },
  {
    group: GROUP,
    type: 'catalog.product.deleted',
    title: `${GROUP} drops the stock row of a deleted product`,
    verify: async (content, inventory) =>
      assert.ok(
        !(await inventory.hasStockRow(content.productId as string)),
        'a deleted, unreserved product has no stock row',
      ),
  },
]);
