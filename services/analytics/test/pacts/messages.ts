// Analytics as a consumer of the checkout's facts: the real analytics service on
// throwaway databases; `analytics-projection` folds each fact into the order's facts and
// the views, in whatever order facts arrive, so no state is set up first.
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { startServiceUnderTest } from '@platform/testkit';
import { type Consumer, consumerPacts } from '@platform/testkit/pact';
import { AnalyticsConfig } from '../../src/config.ts';
import { PROJECTION_GROUP } from '../../src/handlers.ts';
import { startAnalytics } from '../../src/service.ts';

const analytics: Consumer<object> = {
  service: 'analytics',
  start: (_key, label) =>
    startServiceUnderTest(label, (env) =>
      startAnalytics(loadConfig(AnalyticsConfig, env), { discovery: staticDiscovery({}) }),
    ),
};

/** One pact test per type: `producer`'s message, with the optional fields the projection reads. */
export function analyticsHears(producer: string, types: Partial<Record<EventType, string[]>>): void {
  const cases = (Object.entries(types) as Array<[EventType, string[]]>).map(([type, optional]) => ({
    group: PROJECTION_GROUP,
    type,
    example: { optional },
  }));
  consumerPacts(analytics, producer, cases);
}
