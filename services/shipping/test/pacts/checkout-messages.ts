// Shipping as its message pacts' consumer: the real shipping service in each saga mode
// on throwaway databases (orchestration runs `shipping-commands`, the saga's commands;
// choreography `shipping-choreography`, the checkout's facts) and a delivery onto each
// one's real bus. Shipping answers news of an order it does not know without failing
// (a booking, a fact noted, a tombstone), so no state is set up first.
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { startServiceUnderTest } from '@platform/testkit';
import { consumerPact, eventsOf, messageExample, startMessageDelivery } from '@platform/testkit/pact';
import { ShippingConfig } from '../../src/config.ts';
import { startShipping } from '../../src/service.ts';

type SagaMode = 'orchestration' | 'choreography';

const MODE_OF: Record<string, SagaMode> = {
  'shipping-commands': 'orchestration',
  'shipping-choreography': 'choreography',
};

async function startInMode(label: string, mode: SagaMode) {
  const shipping = await startServiceUnderTest(`${label}_${mode}`, (env, issuer) =>
    startShipping(loadConfig(ShippingConfig, { ...env, SAGA_MODE: mode }), {
      discovery: staticDiscovery({}),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  const delivery = await startMessageDelivery(shipping.busUrl, shipping.database.url);
  return {
    delivery,
    async close() {
      await delivery.close();
      await shipping.close();
    },
  };
}

/**
 * One pact test per (group, type): `producer`'s message as its contract has it (shipping
 * reads no optional field), delivered to the real instance that runs the group; the
 * saga's commands are sent as commands.
 */
export function shippingHears(
  producer: string,
  groups: Record<string, EventType[]>,
  options: { commands?: EventType[] } = {},
): void {
  const started: Partial<Record<SagaMode, Awaited<ReturnType<typeof startInMode>>>> = {};
  const modes = new Set(Object.keys(groups).map((group) => MODE_OF[group]));
  before(async () => {
    for (const mode of modes) if (mode) started[mode] = await startInMode(`shipping_${producer}_pacts`, mode);
  });
  after(async () => {
    for (const instance of Object.values(started)) await instance.close();
  });
  for (const [group, types] of Object.entries(groups)) {
    for (const type of types) {
      test(`${group} handles ${type}`, async () => {
        const mode = MODE_OF[group];
        const delivery = mode && started[mode]?.delivery;
        if (!delivery) throw new Error(`shipping runs no group ${group}`);
        const command = options.commands?.includes(type) ?? false;
        await consumerPact(group, eventsOf(producer))
          .addAsynchronousInteraction()
          .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type)))
          .executeTest((message) => delivery.deliver(group, type, message, { command }));
      });
    }
  }
}
