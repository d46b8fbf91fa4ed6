// Inventory as its message pacts' consumer: the real inventory service on throwaway
// databases, in each saga mode its groups need (orchestration runs `inventory-commands`,
// the saga's commands; choreography `inventory-choreography`, the checkout's facts; both
// run `inventory-catalog`). A case may set up state first through the service itself
// (stock on the shelf, a reservation made by an earlier message), as committing stock
// needs one, and check what handling did to the stock after.
import { randomUUID } from 'node:crypto';
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventData } from '@platform/contracts';
import { startServiceUnderTest, testPool } from '@platform/testkit';
import {
  type Consumer,
  consumerPacts,
  type ExampleOptions,
  type Instance,
  type MessageCase,
  messageExample,
} from '@platform/testkit/pact';
import { InventoryConfig } from '../../src/config.ts';
import { startInventory } from '../../src/service.ts';

/** One instance of inventory, for a case to set up state through and check it by. */
export interface Inventory {
  /** Puts `onHand` units of `productId` on the shelf. */
  stock(productId: string, onHand: number): Promise<void>;
  /** Whether `productId` has a stock row. */
  hasStockRow(productId: string): Promise<boolean>;
  /** Reserves a unit for `orderId` as this instance's group does (a command, or the order's creation). */
  reserve(orderId: string): Promise<void>;
}

export type Case = MessageCase<Inventory>;

/** A fresh order id for a case, so that cases about one order's life do not meet. */
export const anOrder = (): ExampleOptions => ({ with: { orderId: MatchersV3.uuid(randomUUID()) } });

/** A case's `prepare`: the message's order holds a reservation first. */
export const afterReserving: Case['prepare'] = (content, inventory) =>
  inventory.reserve(content.orderId as string);

/** The data of an `order.created` for `orderId`, of one unit of `productId`. */
function orderCreated(orderId: string, productId: string): EventData<'order.created'> {
  const example = MatchersV3.reify(messageExample('order.created')) as unknown as EventData<'order.created'>;
  const lines = example.items.map((line) => ({ ...line, productId, quantity: 1 }));
  return { ...example, orderId, items: lines };
}

function inventoryOf({ key: mode, service, feed }: Instance): Inventory & { close(): Promise<void> } {
  const pool = testPool(service.database.url, 1);
  const inventory: Inventory = {
    async stock(productId, onHand) {
      await pool.query('INSERT INTO stock (product_id, on_hand, received) VALUES ($1, $2::int, $2::int)', [
        productId,
        onHand,
      ]);
    },
    async hasStockRow(productId) {
      const { rowCount } = await pool.query('SELECT 1 FROM stock WHERE product_id = $1', [productId]);
      return rowCount === 1;
    },
    async reserve(orderId) {
      const productId = randomUUID();
      await inventory.stock(productId, 5);
      if (mode === 'choreography') {
        return feed('inventory-choreography', 'order.created', orderCreated(orderId, productId));
      }
      const expiresAt = new Date(Date.now() + 600_000).toISOString();
      const lines = [{ productId, quantity: 1 }];
      return feed(
        'inventory-commands',
        'inventory.reserve-stock',
        { orderId, lines, expiresAt },
        { command: true },
      );
    },
  };
  return { ...inventory, close: () => pool.end() };
}

const inventory: Consumer<Inventory> = {
  service: 'inventory',
  instanceOf: { 'inventory-commands': 'orchestration', 'inventory-choreography': 'choreography' },
  start: (key, label) =>
    startServiceUnderTest(label, (env, issuer) =>
      // No seed: the catalog's events and the cases alone make the stock rows here.
      startInventory(
        loadConfig(InventoryConfig, {
          ...env,
          INVENTORY_SEED: 'false',
          ...(key === 'default' ? {} : { SAGA_MODE: key }),
        }),
        { discovery: staticDiscovery({}), tokens: { token: () => issuer.token(['service']) } },
      ),
    ),
  helpers: inventoryOf,
};

/** One pact test per case: `producer`'s message delivered to the instance that runs its group. */
export function inventoryHears(producer: string, cases: Case[]): void {
  consumerPacts(inventory, producer, cases);
}
