import type { EventData } from '@platform/contracts';

// What the projection knows of one order, and how each event adds to it. Pure.
//
// Events arrive at least once and in any order (a confirmation before its order, a
// refund before the confirmation), so `evolve` is a merge: every field is set once
// or only grows, and applying the same events in any order, any number of times,
// gives the same facts. Times are the events' own, never the time of processing.

export const PROJECTED_TYPES = [
  'order.created',
  'order.confirmed',
  'order.rejected',
  'order.cancelled',
  'order.delivered',
  'payment.refunded',
] as const;
export type ProjectedType = (typeof PROJECTED_TYPES)[number];

/** An event the projection applies: its id, its time (`time` of the envelope) and its data. */
export type ProjectedEvent = {
  [T in ProjectedType]: { id: string; type: T; time: string; data: EventData<T> };
}[ProjectedType];

/** Lines without a category (older orders) are counted under this one. */
export const UNCATEGORIZED = 'uncategorized';

export interface FactLine {
  productId: string;
  sku: string;
  name: string;
  category: string;
  quantity: number;
  /** Minor units of the order's currency. */
  unitAmount: number;
}

export interface OrderFacts {
  orderId: string;
  placedAt: string | null;
  currency: string | null;
  /** The order's total in minor units (items, tax and shipping). */
  total: number | null;
  lines: FactLine[] | null;
  confirmedAt: string | null;
  rejectedAt: string | null;
  cancelledAt: string | null;
  deliveredAt: string | null;
  /** Refunded so far, minor units: the greatest cumulative `refundedTotal` heard. */
  refunded: number;
}

export function emptyFacts(orderId: string): OrderFacts {
  return {
    orderId,
    placedAt: null,
    currency: null,
    total: null,
    lines: null,
    confirmedAt: null,
    rejectedAt: null,
    cancelledAt: null,
    deliveredAt: null,
    refunded: 0,
  };
}

/** The order an event is about, as the database spells a uuid (lower case). */
export function orderIdOf(event: ProjectedEvent): string {
  return event.data.orderId.toLowerCase();
}

/** The earlier of two instants, as a normalized ISO string (a repeated fact keeps the first time). */
export function earliest(current: string | null, candidate: string): string {
  const at = new Date(candidate).toISOString();
  if (current === null) return at;
  return Date.parse(current) <= Date.parse(at) ? current : at;
}

function linesOf(data: EventData<'order.created'>): FactLine[] {
  return data.items.map((item) => ({
    productId: item.productId,
    sku: item.sku,
    name: item.name,
    category: item.category ?? UNCATEGORIZED,
    quantity: item.quantity,
    unitAmount: item.unitPrice.amount,
  }));
}

/** The facts after `event`: a merge, so order and repetition do not matter. */
export function evolve(facts: OrderFacts, event: ProjectedEvent): OrderFacts {
  switch (event.type) {
    case 'order.created':
      return {
        ...facts,
        placedAt: earliest(facts.placedAt, event.data.placedAt),
        currency: facts.currency ?? event.data.totals.currency,
        total: facts.total ?? event.data.totals.total,
        lines: facts.lines ?? linesOf(event.data),
      };
    case 'order.confirmed':
      return {
        ...facts,
        confirmedAt: earliest(facts.confirmedAt, event.time),
        currency: facts.currency ?? event.data.totals.currency,
        total: facts.total ?? event.data.totals.total,
      };
    case 'order.rejected':
      return { ...facts, rejectedAt: earliest(facts.rejectedAt, event.time) };
    case 'order.cancelled':
      return { ...facts, cancelledAt: earliest(facts.cancelledAt, event.time) };
    case 'order.delivered':
      return { ...facts, deliveredAt: earliest(facts.deliveredAt, event.time) };
    case 'payment.refunded':
      // Cumulative per payment (one per order): a repeat or a late one cannot lower it.
      return { ...facts, refunded: Math.max(facts.refunded, event.data.refundedTotal.amount) };
  }
}

/** Whether two facts say the same (an event that changed nothing needs no writes). */
export function sameFacts(a: OrderFacts, b: OrderFacts): boolean {
  const keys = Object.keys(emptyFacts(a.orderId)) as Array<keyof OrderFacts>;
  return keys.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}
