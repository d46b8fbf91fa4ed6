// Analytics as a consumer of the checkout's facts: the real analytics service on
// throwaway databases and a delivery onto its real bus; `analytics-projection` folds each
// fact into the order's facts and the views, in whatever order facts arrive, so no
// state is set up first.
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { type ServiceUnderTest, startServiceUnderTest } from '@platform/testkit';
import {
  consumerPact,
  eventsOf,
  type MessageDelivery,
  messageExample,
  startMessageDelivery,
} from '@platform/testkit/pact';
import { AnalyticsConfig } from '../../src/config.ts';
import { PROJECTION_GROUP } from '../../src/handlers.ts';
import { startAnalytics } from '../../src/service.ts';

/** One pact test per type: `producer`'s message (with the optional fields the projection reads). */
export function analyticsHears(producer: string, types: Partial<Record<EventType, string[]>>): void {
  let service: ServiceUnderTest;
  let delivery: MessageDelivery;
  before(async () => {
    service = await startServiceUnderTest(`analytics_${producer}_pacts`, (env) =>
      startAnalytics(loadConfig(AnalyticsConfig, env), { discovery: staticDiscovery({}) }),
    );
    delivery = await startMessageDelivery(service.busUrl, service.database.url);
  });
  after(async () => {
    await delivery.close();
    await service.close();
  });
  for (const [type, optional] of Object.entries(types) as Array<[EventType, string[]]>) {
    test(`${PROJECTION_GROUP} handles ${type}`, async () => {
      await consumerPact(PROJECTION_GROUP, eventsOf(producer))
        .addAsynchronousInteraction()
        .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type, { optional })))
        .executeTest((message) => delivery.deliver(PROJECTION_GROUP, type, message));
    });
  }
}
