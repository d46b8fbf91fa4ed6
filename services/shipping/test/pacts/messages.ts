// Shipping as its message pacts' consumer: the real shipping service in each saga mode
// on throwaway databases (orchestration runs `shipping-commands`, the saga's commands;
// choreography `shipping-choreography`, the checkout's facts). Shipping answers news of
// an order it does not know without failing (a booking, a fact noted, a tombstone), so
// no state is set up first.
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { startServiceUnderTest } from '@platform/testkit';
import { type Consumer, consumerPacts } from '@platform/testkit/pact';
import { ShippingConfig } from '../../src/config.ts';
import { startShipping } from '../../src/service.ts';

const shipping: Consumer<object> = {
  service: 'shipping',
  instanceOf: { 'shipping-commands': 'orchestration', 'shipping-choreography': 'choreography' },
  start: (mode, label) =>
    startServiceUnderTest(label, (env, issuer) =>
      startShipping(loadConfig(ShippingConfig, { ...env, SAGA_MODE: mode }), {
        discovery: staticDiscovery({}),
        tokens: { token: () => issuer.token(['service']) },
      }),
    ),
};

/**
 * One pact test per (group, type): `producer`'s message as its contract has it (shipping
 * reads no optional field); the saga's commands are sent as commands.
 */
export function shippingHears(
  producer: string,
  groups: Record<string, EventType[]>,
  options: { commands?: EventType[] } = {},
): void {
  const cases = Object.entries(groups).flatMap(([group, types]) =>
    types.map((type) => ({ group, type, command: options.commands?.includes(type) ?? false })),
  );
  consumerPacts(shipping, producer, cases);
}
