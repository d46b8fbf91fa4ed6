import { randomInt } from 'node:crypto';

// The shipment's life and the carrier's rules. Pure: the store and handlers do the I/O.

export type ShipmentStatus = 'SCHEDULED' | 'SHIPPED' | 'IN_TRANSIT' | 'DELIVERED' | 'CANCELLED';

const CARRIER_STEPS: Partial<Record<ShipmentStatus, ShipmentStatus>> = {
  SCHEDULED: 'SHIPPED',
  SHIPPED: 'IN_TRANSIT',
  IN_TRANSIT: 'DELIVERED',
};

/** Where the carrier takes the shipment next, or undefined when it is done with it. */
export function nextCarrierStep(status: ShipmentStatus): ShipmentStatus | undefined {
  return CARRIER_STEPS[status];
}

/** The fact each carrier step publishes. */
export const CARRIER_STEP_EVENTS = {
  SHIPPED: 'shipping.shipped',
  IN_TRANSIT: 'shipping.in-transit',
  DELIVERED: 'shipping.delivered',
} as const;

export type CarrierStep = keyof typeof CARRIER_STEP_EVENTS;

export function isCarrierStep(status: ShipmentStatus): status is CarrierStep {
  return status in CARRIER_STEP_EVENTS;
}

/** The parcel has left the warehouse: too late to cancel. */
export function isDispatched(status: ShipmentStatus): boolean {
  return isCarrierStep(status);
}

export const ORDER_CANCELLED = 'order cancelled';

export type ScheduleDecision =
  | { action: 'create' }
  | { action: 'repeat' }
  | { action: 'refuse'; reason: string };

/**
 * What to do with a request to ship an order. `tombstoned`: a cancel came first;
 * `existing`: the status of the order's shipment, if it has one.
 */
export function decideSchedule(
  order: { tombstoned: boolean; existing?: ShipmentStatus | undefined },
  address: { postalCode: string },
  undeliverablePostalCodes: ReadonlySet<string>,
): ScheduleDecision {
  if (order.tombstoned || order.existing === 'CANCELLED')
    return { action: 'refuse', reason: ORDER_CANCELLED };
  if (order.existing) return { action: 'repeat' };
  if (undeliverablePostalCodes.has(address.postalCode.trim().toUpperCase())) {
    return { action: 'refuse', reason: `the carrier does not deliver to postal code ${address.postalCode}` };
  }
  return { action: 'create' };
}

export type CancelDecision =
  | { action: 'cancel' }
  | { action: 'already-cancelled' }
  | { action: 'tombstone' }
  | { action: 'refuse'; reason: string };

/** What to do with a request to cancel the shipment of an order (`existing`: its status, if any). */
export function decideCancel(existing: ShipmentStatus | undefined): CancelDecision {
  if (existing === undefined) return { action: 'tombstone' };
  if (existing === 'CANCELLED') return { action: 'already-cancelled' };
  if (existing === 'SCHEDULED') return { action: 'cancel' };
  return { action: 'refuse', reason: `the parcel has left (${existing})` };
}

/** `TRK` and ten random digits. */
export function newTrackingNumber(): string {
  return `TRK${String(randomInt(0, 1e10)).padStart(10, '0')}`;
}

/** The parcel's weight: each line's units times its unit weight. */
export function parcelWeight(lines: ReadonlyArray<{ quantity: number; weightGrams: number }>): number {
  return lines.reduce((total, line) => total + line.quantity * line.weightGrams, 0);
}
