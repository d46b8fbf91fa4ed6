import type { Envelope, Queryable } from '@platform/chassis';
import { batchEffect } from './domain/batch.ts';
import { orderIdOf, PROJECTED_TYPES, type ProjectedEvent, type ProjectedType } from './domain/order-facts.ts';
import { addToViews, loadFactsForUpdate, markApplied, recordProductNames, saveFacts } from './store.ts';

// The one way events reach the read models: the live consumer (a batch, or a lone
// event) and a rebuild's replay all call `applyEvents`, so what a rebuild builds is
// what was built live.

export type ApplyOutcome = 'applied' | 'duplicate' | 'ignored';

const projected = new Set<string>(PROJECTED_TYPES);

/**
 * The envelope as an event the projection applies (the bus has checked its data
 * against the contract); undefined for other types, and for a `time` that is no time,
 * which live and rebuilt views then both leave out alike.
 */
export function asProjected(envelope: Envelope): ProjectedEvent | undefined {
  if (!projected.has(envelope.type) || Number.isNaN(Date.parse(envelope.time))) return undefined;
  return {
    id: envelope.id,
    type: envelope.type as ProjectedType,
    time: envelope.time,
    data: envelope.data,
  } as ProjectedEvent;
}

/**
 * Applies events in the caller's transaction, in a few statements however many they
 * are: each recorded as applied (a second time, in this batch or before, it is a
 * duplicate and changes nothing), their orders' facts merged, and every view moved by
 * what that changed in the orders' contributions. One outcome per envelope, in order.
 */
export async function applyEvents(db: Queryable, envelopes: Envelope[]): Promise<ApplyOutcome[]> {
  const events = envelopes.map(asProjected);
  const recorded = await markApplied(
    db,
    events.filter((event) => event !== undefined),
  );
  const fresh: ProjectedEvent[] = [];
  const outcomes = events.map((event): ApplyOutcome => {
    if (!event) return 'ignored';
    if (!recorded.delete(event.id)) return 'duplicate';
    fresh.push(event);
    return 'applied';
  });
  if (fresh.length === 0) return outcomes;
  const stored = await loadFactsForUpdate(db, [...new Set(fresh.map(orderIdOf))]);
  const effect = batchEffect(stored, fresh);
  await saveFacts(db, effect.changed);
  await addToViews(db, effect.change);
  await recordProductNames(db, effect.names);
  return outcomes;
}
