import { currentCorrelationId, type Queryable } from '@platform/chassis';
import type { EventData } from '@platform/contracts';
import { decideCancel, decideSchedule, newTrackingNumber, parcelWeight } from './domain/shipment.ts';
import {
  type Address,
  addTombstone,
  findShipmentOfOrder,
  insertShipment,
  lockOrder,
  moveShipments,
  type ParcelLine,
  type ShipmentRow,
  shipmentAndTombstone,
} from './store.ts';

// The shipping operations both saga adapters call (orchestration replies with their
// outcome, choreography publishes it). Each runs in the caller's transaction and is
// idempotent by order id: asked again, it answers the same and changes nothing.

export interface CarrierRules {
  undeliverablePostalCodes: ReadonlySet<string>;
  /** How long the carrier takes for each step. */
  stepMs: number;
}

export interface ScheduleRequest {
  orderId: string;
  userId: string;
  address: Address;
  lines: ParcelLine[];
}

export type ScheduleOutcome =
  | { type: 'shipping.scheduled'; data: EventData<'shipping.scheduled'> }
  | { type: 'shipping.failed'; data: EventData<'shipping.failed'> };

export type CancelOutcome =
  | { type: 'shipping.cancelled'; data: EventData<'shipping.cancelled'> }
  | { type: 'shipping.cancel-refused'; data: EventData<'shipping.cancel-refused'> };

const scheduled = (row: ShipmentRow): ScheduleOutcome => ({
  type: 'shipping.scheduled',
  data: {
    orderId: row.order_id,
    shipmentId: row.id,
    trackingNumber: row.tracking_number,
    at: row.created_at.toISOString(),
  },
});

/** Books the order's shipment with the carrier, unless it was cancelled first or the carrier refuses. */
export async function scheduleShipment(
  db: Queryable,
  request: ScheduleRequest,
  rules: CarrierRules,
): Promise<ScheduleOutcome> {
  const { orderId } = request;
  await lockOrder(db, orderId);
  const { existing, tombstoned } = await shipmentAndTombstone(db, orderId);
  const decision = decideSchedule(
    { tombstoned, existing: existing?.status },
    request.address,
    rules.undeliverablePostalCodes,
  );
  if (decision.action === 'refuse') {
    return { type: 'shipping.failed', data: { orderId, reason: decision.reason } };
  }
  if (decision.action === 'repeat' && existing) return scheduled(existing);
  const lines = request.lines.map(({ productId, quantity, weightGrams }) => ({
    productId,
    quantity,
    weightGrams,
  }));
  const row = await insertShipment(db, {
    orderId,
    userId: request.userId,
    trackingNumber: newTrackingNumber(),
    address: request.address,
    lines,
    weightGrams: parcelWeight(lines),
    stepMs: rules.stepMs,
    correlationId: currentCorrelationId(),
  });
  return scheduled(row);
}

/**
 * Cancels the order's shipment while it is still in the warehouse. With no shipment
 * yet, leaves a tombstone so a late schedule is refused; once dispatched, refuses.
 */
export async function cancelShipment(db: Queryable, orderId: string, reason: string): Promise<CancelOutcome> {
  await lockOrder(db, orderId);
  // The row lock waits for a carrier step in progress, so we decide on the latest status.
  const existing = await findShipmentOfOrder(db, orderId, true);
  const decision = decideCancel(existing?.status);
  if (decision.action === 'tombstone' || !existing) {
    await addTombstone(db, orderId, reason);
    return { type: 'shipping.cancelled', data: { orderId } };
  }
  const shipmentId = existing.id;
  if (decision.action === 'refuse') {
    return { type: 'shipping.cancel-refused', data: { orderId, shipmentId, reason: decision.reason } };
  }
  if (decision.action === 'cancel') {
    await moveShipments(db, [{ id: shipmentId, status: 'CANCELLED', stepMs: null, cancelReason: reason }]);
  }
  return { type: 'shipping.cancelled', data: { orderId, shipmentId } };
}
