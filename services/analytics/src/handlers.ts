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
    // Handlers wait on a running rebuild with a connection each: leave some for
    // readers. Facts that arrive together are applied in one transaction.
    { concurrency: 4, maxBatch: 32 },
  );
}
