// The order service as its message pacts' consumer: the real order service in each
// saga mode on throwaway databases (orchestration runs `order-saga`, choreography
// `order-choreography`, and both `order-tracking`), its peers nowhere (no interaction
// calls them), and a delivery onto each one's real bus.
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { startServiceUnderTest } from '@platform/testkit';
import {
  consumerPact,
  eventsOf,
  type MessageDelivery,
  messageExample,
  type PactMessage,
  startMessageDelivery,
} from '@platform/testkit/pact';
import { OrderConfig } from '../../src/config.ts';
import { startOrder } from '../../src/service.ts';

type SagaMode = 'orchestration' | 'choreography';

/** The order's consuming groups, by the saga mode whose instance runs them. */
const MODE_OF: Record<string, SagaMode> = {
  'order-saga': 'orchestration',
  'order-tracking': 'orchestration',
  'order-choreography': 'choreography',
};

export interface OrderConsumers {
  /** Delivers the pact's message to the instance that runs `group`; resolves once handled. */
  deliver(group: string, type: EventType, message: PactMessage): Promise<void>;
  close(): Promise<void>;
}

const NOWHERE = 'http://127.0.0.1:9';

async function startInMode(label: string, mode: SagaMode) {
  const order = await startServiceUnderTest(`${label}_${mode}`, (env, issuer) =>
    startOrder(loadConfig(OrderConfig, { ...env, SAGA_MODE: mode }), {
      discovery: staticDiscovery(
        { catalog: [NOWHERE], cart: [NOWHERE], shipping: [NOWHERE], payment: [NOWHERE] },
        { shipping: [NOWHERE] },
      ),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  const delivery = await startMessageDelivery(order.busUrl, order.database.url);
  return { order, delivery };
}

export async function startOrderConsumers(label: string): Promise<OrderConsumers> {
  const started = {
    orchestration: await startInMode(label, 'orchestration'),
    choreography: await startInMode(label, 'choreography'),
  };
  const deliveryOf = (group: string): MessageDelivery => {
    const mode = MODE_OF[group];
    if (!mode) throw new Error(`the order service runs no group ${group}`);
    return started[mode].delivery;
  };
  return {
    deliver: (group, type, message) => deliveryOf(group).deliver(group, type, message),
    async close() {
      for (const { order, delivery } of Object.values(started)) {
        await delivery.close();
        await order.close();
      }
    },
  };
}

/**
 * One pact test per (group, type): `producer`'s message as its contract has it, delivered
 * to the order's real instance that runs the group. The order reads only what each
 * contract requires (an answer's `reason`, `code`, `until`, `trackingNumber`), and
 * ignores news of an order it does not know, so no state is set up first.
 */
export function orderHears(producer: string, groups: Record<string, EventType[]>): void {
  let order: OrderConsumers;
  before(async () => {
    order = await startOrderConsumers(`order_${producer}_pacts`);
  });
  after(() => order.close());
  for (const [group, types] of Object.entries(groups)) {
    for (const type of types) {
      test(`${group} handles ${type}`, async () => {
        await consumerPact(group, eventsOf(producer))
          .addAsynchronousInteraction()
          .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type)))
          .executeTest((message) => order.deliver(group, type, message));
      });
    }
  }
}
