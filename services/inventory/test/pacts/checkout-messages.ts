// Inventory as its message pacts' consumer: the real inventory service in each saga mode
// on throwaway databases (orchestration runs `inventory-commands`, the saga's commands;
// choreography `inventory-choreography`, the checkout's facts) and a delivery onto each
// one's real bus. A case may set up state first through the service itself (stock on
// the shelf, a reservation made by an earlier message), as committing stock needs one.
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import { startServiceUnderTest, testPool } from '@platform/testkit';
import {
  consumerPact,
  type ExampleOptions,
  eventsOf,
  type MessageDelivery,
  messageExample,
  startMessageDelivery,
} from '@platform/testkit/pact';
import { InventoryConfig } from '../../src/config.ts';
import { startInventory } from '../../src/service.ts';

type SagaMode = 'orchestration' | 'choreography';

const MODE_OF: Record<string, SagaMode> = {
  'inventory-commands': 'orchestration',
  'inventory-choreography': 'choreography',
};

/** One instance of inventory, for a case to set up state through. */
export interface Inventory {
  /** Puts `onHand` units of `productId` on the shelf. */
  stock(productId: string, onHand: number): Promise<void>;
  /** Reserves a unit for `orderId` as this instance's group does (a command, or the order's creation). */
  reserve(orderId: string): Promise<void>;
}

export interface Case {
  group: string;
  type: EventType;
  /** What the group's handler needs of the message beyond the contract's required fields. */
  example?: ExampleOptions;
  /** The saga's command, sent rather than published. */
  command?: boolean;
  /** Sets up what handling `content` needs, through the service, before it is delivered. */
  prepare?(content: { orderId: string }, inventory: Inventory): Promise<void>;
}

/** A fresh order id for a case, so that cases about one order's life do not meet. */
export const anOrder = (): ExampleOptions => ({ with: { orderId: MatchersV3.uuid(randomUUID()) } });

async function startInMode(label: string, mode: SagaMode) {
  const service = await startServiceUnderTest(`${label}_${mode}`, (env, issuer) =>
    startInventory(loadConfig(InventoryConfig, { ...env, SAGA_MODE: mode, INVENTORY_SEED: 'false' }), {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  const delivery: MessageDelivery = await startMessageDelivery(service.busUrl, service.database.url);
  const pool = testPool(service.database.url, 1);
  const deliver = <T extends EventType>(group: string, type: T, data: EventData<T>, command = false) =>
    delivery.deliver(group, type, { contents: { content: data } }, { command });
  const inventory: Inventory = {
    async stock(productId, onHand) {
      await pool.query('INSERT INTO stock (product_id, on_hand, received) VALUES ($1, $2::int, $2::int)', [
        productId,
        onHand,
      ]);
    },
    async reserve(orderId) {
      const productId = randomUUID();
      await inventory.stock(productId, 5);
      if (mode === 'choreography') {
        return deliver('inventory-choreography', 'order.created', orderCreated(orderId, productId));
      }
      const expiresAt = new Date(Date.now() + 600_000).toISOString();
      const lines = [{ productId, quantity: 1 }];
      return deliver('inventory-commands', 'inventory.reserve-stock', { orderId, lines, expiresAt }, true);
    },
  };
  return {
    inventory,
    delivery,
    async close() {
      await delivery.close();
      await pool.end();
      await service.close();
    },
  };
}

/** One pact test per case: `producer`'s message delivered to the instance that runs its group. */
export function inventoryHears(producer: string, cases: Case[]): void {
  const modes = new Set(cases.map((each) => MODE_OF[each.group]));
  const started: Partial<Record<SagaMode, Awaited<ReturnType<typeof startInMode>>>> = {};
  before(async () => {
    for (const mode of modes)
      if (mode) started[mode] = await startInMode(`inventory_${producer}_pacts`, mode);
  });
  after(async () => {
    for (const instance of Object.values(started)) await instance.close();
  });
  for (const { group, type, example, command = false, prepare } of cases) {
    test(`${group} handles ${type}`, async () => {
      const mode = MODE_OF[group];
      const instance = mode && started[mode];
      if (!instance) throw new Error(`inventory runs no group ${group}`);
      await consumerPact(group, eventsOf(producer))
        .addAsynchronousInteraction()
        .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type, example)))
        .executeTest(async (message) => {
          await prepare?.(message.contents.content as { orderId: string }, instance.inventory);
          await instance.delivery.deliver(group, type, message, { command });
        });
    });
  }
}

/** The data of an `order.created` for `orderId`, of one unit of `productId`. */
function orderCreated(orderId: string, productId: string): EventData<'order.created'> {
  const example = MatchersV3.reify(messageExample('order.created')) as unknown as EventData<'order.created'>;
  const lines = example.items.map((line) => ({ ...line, productId, quantity: 1 }));
  return { ...example, orderId, items: lines };
}

/** A case's `prepare`: the message's order holds a reservation first. */
export const afterReserving: Case['prepare'] = (content, inventory) => inventory.reserve(content.orderId);
