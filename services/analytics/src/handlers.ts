import type { Bus } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { PROJECTED_TYPES } from './domain/order-facts.ts';
import type { ProjectionMetrics } from './metrics.ts';
import { applyEvent } from './projection.ts';
import { lockProjectionShared } from './store.ts';

export const PROJECTION_GROUP = 'analytics-projection';

/**
 * The live side of the projection: every order and refund fact, applied in the
 * handler's transaction (with the inbox row). The shared lock makes a live event wait
 * while a rebuild replays; it then finds its id applied, or applies it after.
 */
export async function subscribeProjection(
  bus: Bus<typeof eventSchemas>,
  metrics: ProjectionMetrics,
): Promise<void> {
  await bus.subscribe(
    PROJECTION_GROUP,
    [...PROJECTED_TYPES],
    async (event, { tx }) => {
      await lockProjectionShared(tx);
      metrics.applied(event.type, await applyEvent(tx, event), 'live');
    },
    // Facts that arrive together are applied in one transaction, one batch at a time:
    // every order moves the same view rows (the day's revenue, the funnel), so batches
    // side by side only waited on each other's locks of them, and deadlocked (on NATS,
    // 56-76 ms an order of waiting; bench/README.md). It also leaves the pool to readers
    // while a rebuild runs.
    { concurrency: 1, maxBatch: 32 },
  );
}
