import type { Envelope, Queryable } from '@platform/chassis';
import { changeBetween, contributionOf } from './domain/contribution.ts';
import {
  evolve,
  orderIdOf,
  PROJECTED_TYPES,
  type ProjectedEvent,
  type ProjectedType,
  sameFacts,
} from './domain/order-facts.ts';
import { addToViews, loadFactsForUpdate, markApplied, recordProductNames, saveFacts } from './store.ts';

// The one way an event reaches the read models: the live consumer and a rebuild's
// replay both call `applyEvent`, so what a rebuild builds is what was built live.

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
 * Applies one event, in the caller's transaction: recorded as applied (a second time
 * it is a duplicate and changes nothing), its order's facts merged, and every view
 * moved by what that changed in the order's contribution.
 */
export async function applyEvent(db: Queryable, envelope: Envelope): Promise<ApplyOutcome> {
  const event = asProjected(envelope);
  if (!event) return 'ignored';
  if (!(await markApplied(db, event))) return 'duplicate';
  const before = await loadFactsForUpdate(db, orderIdOf(event));
  const after = evolve(before, event);
  if (sameFacts(before, after)) return 'applied';
  await saveFacts(db, after);
  await addToViews(db, changeBetween(contributionOf(before), contributionOf(after)));
  if (event.type === 'order.created' && after.lines && after.placedAt) {
    await recordProductNames(db, after.lines, after.placedAt);
  }
  return 'applied';
}
