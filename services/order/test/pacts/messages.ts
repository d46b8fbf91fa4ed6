// The order service as its message pacts' consumer: the real order service in each
// saga mode on throwaway databases (orchestration runs `order-saga` and
// `order-tracking`, choreography `order-choreography`), its peers nowhere (no
// interaction calls them). The order reads only what each contract requires (an
// answer's `reason`, `code`, `until`, `trackingNumber`) and ignores news of an order it
// does not know, so no state is set up first. The orchestrated saga also ignores an
// answer to a command it did not send: there the message is checked against its
// contract and recorded as handled, not applied.
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { startServiceUnderTest } from '@platform/testkit';
import { type Consumer, consumerPacts } from '@platform/testkit/pact';
import { OrderConfig } from '../../src/config.ts';
import { startOrder } from '../../src/service.ts';

const NOWHERE = 'http://127.0.0.1:9';

const order: Consumer<object> = {
  service: 'order',
  instanceOf: {
    'order-saga': 'orchestration',
    'order-tracking': 'orchestration',
    'order-choreography': 'choreography',
  },
  start: (mode, label) =>
    startServiceUnderTest(label, (env, issuer) =>
      startOrder(loadConfig(OrderConfig, { ...env, SAGA_MODE: mode }), {
        discovery: staticDiscovery(
          { catalog: [NOWHERE], cart: [NOWHERE], shipping: [NOWHERE], payment: [NOWHERE] },
          { shipping: [NOWHERE] },
        ),
        tokens: { token: () => issuer.token(['service']) },
      }),
    ),
};

/** One pact test per (group, type): `producer`'s message as its contract has it. */
export function orderHears(producer: string, groups: Record<string, EventType[]>): void {
  const cases = Object.entries(groups).flatMap(([group, types]) => types.map((type) => ({ group, type })));
  consumerPacts(order, producer, cases);
}
