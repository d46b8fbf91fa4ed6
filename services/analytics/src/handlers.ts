import type { Bus, Envelope, Queryable } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { PROJECTED_TYPES } from './domain/order-facts.ts';
import type { ProjectionMetrics } from './metrics.ts';
import { applyEvents } from './projection.ts';
import { lockProjectionShared } from './store.ts';

export const PROJECTION_GROUP = 'analytics-projection';

/**
 * The live side of the projection: every order and refund fact, applied in the
 * handler's transaction (with the inbox rows). Facts that arrive together are applied
 * as one batch, in a few statements for all of them; a lone one the same way. The
 * shared lock makes live events wait while a rebuild replays; they then find their
 * ids applied, or apply after it.
 */
export async function subscribeProjection(
  bus: Bus<typeof eventSchemas>,
  metrics: ProjectionMetrics,
): Promise<void> {
  const apply = async (events: Envelope[], tx: Queryable) => {
    await lockProjectionShared(tx);
    const outcomes = await applyEvents(tx, events);
    events.forEach((event, i) => {
      metrics.applied(event.type, outcomes[i] ?? 'ignored', 'live');
    });
  };
  await bus.subscribe(
    PROJECTION_GROUP,
    [...PROJECTED_TYPES],
    (event, { tx }) => apply([event], tx),
    // One batch at a time: every order moves the same view rows (the day's revenue,
    // the funnel), so batches side by side only waited on each other's locks of them,
    // and deadlocked (on NATS, 56-76 ms an order of waiting; bench/README.md). It also
    // leaves the pool to readers while a rebuild runs. Nobody waits on a view: an event
    // waits a quarter of a second for others, so that at light load too a transaction
    // (and a claim, a wake-up) carries several.
    {
      concurrency: 1,
      maxBatch: 32,
      lingerMs: 250,
      handleBatch: (events, { tx }) => apply(events, tx),
    },
  );
}
