// The order aggregate, event-sourced: its events are the truth, its state their fold.
import type { commerce, orders } from '@platform/contracts';
import { isCompensation, type Step } from './steps.ts';

export type { Step };
export type OrderStatus = orders.OrderStatus;
export type SagaMode = 'orchestration' | 'choreography';

export interface OrderPlacedData {
  userId: string;
  items: Array<commerce.OrderLine>;
  totals: commerce.OrderTotals;
  shippingAddress: commerce.ShippingAddress;
  card: { brand: string; last4: string };
  paymentMethodId: string;
  sagaMode: SagaMode;
  fromCart: boolean;
}

/** What happened to an order; `at` is when it was recorded. */
export type OrderEvent =
  | { type: 'OrderPlaced'; data: OrderPlacedData }
  | { type: 'StepSucceeded'; data: { step: Step; detail?: string } }
  | { type: 'StepFailed'; data: { step: Step; reason: string } }
  | { type: 'StepTimedOut'; data: { step: Step } }
  /** Inventory put the order in line for units other orders hold (decision 017). */
  | { type: 'StepWaiting'; data: { step: Step } }
  | { type: 'CancellationRequested'; data: { reason: string } }
  | { type: 'CancellationRefused'; data: { reason: string } }
  | { type: 'OrderConfirmed'; data: Record<string, never> }
  | { type: 'OrderRejected'; data: { reason: string } }
  | { type: 'OrderCancelled'; data: { reason: string } }
  | { type: 'OrderShipped'; data: { trackingNumber?: string } }
  | { type: 'OrderDelivered'; data: Record<string, never> }
  /** The parcel's news came before the order was confirmed: kept, and recorded once it is. */
  | { type: 'ParcelNewsHeard'; data: ParcelNews };

export interface RecordedEvent {
  event: OrderEvent;
  at: string;
}

export interface Order extends OrderPlacedData {
  id: string;
  status: OrderStatus;
  reason?: string;
  timeline: orders.TimelineEntry[];
  createdAt: string;
  updatedAt: string;
  version: number;
  /** News of the parcel heard before the order was confirmed, in the order it came. */
  heldNews?: ParcelNews[];
}

const TERMINAL: OrderStatus[] = ['REJECTED', 'CANCELLED', 'DELIVERED'];

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.includes(status);
}

/** A customer may cancel until the parcel has left. */
export function canCancel(status: OrderStatus): boolean {
  return ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED'].includes(status);
}

/** What shipping says of an order's parcel. */
export type ParcelNews = { kind: 'shipped'; trackingNumber?: string } | { kind: 'delivered' };

const BEFORE_CONFIRMATION: OrderStatus[] = ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED'];
/** Where an order keeps the parcel's early news: until the move that confirms it records them. */
const KEEPS_NEWS: OrderStatus[] = [...BEFORE_CONFIRMATION, 'CONFIRMED'];

/**
 * What the parcel's news records on the order: SHIPPED once it is confirmed, DELIVERED
 * once shipped (or confirmed: the shipped news may still be on its way); nothing for an
 * order already past it or undone. News that comes before the capture and commit were
 * heard (a fast carrier, or a saga behind under load) is kept on the order, once, and
 * recorded in the move that confirms it (`withHeldNews`): SHIPPED always follows CONFIRMED.
 */
export function parcelNews(order: Order, news: ParcelNews): OrderEvent[] {
  if (BEFORE_CONFIRMATION.includes(order.status)) {
    const known = order.heldNews?.some((held) => held.kind === news.kind);
    return known ? [] : [{ type: 'ParcelNewsHeard', data: news }];
  }
  if (news.kind === 'shipped' && order.status === 'CONFIRMED') {
    return [
      { type: 'OrderShipped', data: news.trackingNumber ? { trackingNumber: news.trackingNumber } : {} },
    ];
  }
  if (news.kind === 'delivered' && (order.status === 'SHIPPED' || order.status === 'CONFIRMED')) {
    return [{ type: 'OrderDelivered', data: {} }];
  }
  return [];
}

/**
 * `events`, a move of `order`, followed by what the parcel's kept news records when
 * they confirm it: the shipment and delivery heard early go in the confirming move.
 */
export function withHeldNews(order: Order | undefined, events: OrderEvent[]): OrderEvent[] {
  if (!order?.heldNews || !events.some((event) => event.type === 'OrderConfirmed')) return events;
  const all = [...events];
  let after = events.reduce<Order | undefined>(
    (current, event) => evolve(current, { event, at: '' }, order.id),
    order,
  );
  for (const news of order.heldNews) {
    if (!after) break;
    for (const event of parcelNews(after, news)) {
      all.push(event);
      after = evolve(after, { event, at: '' }, order.id);
    }
  }
  return all;
}

function timelineEntry(event: OrderEvent, at: string): orders.TimelineEntry {
  switch (event.type) {
    case 'OrderPlaced':
      return { at, step: 'place-order', outcome: 'placed' };
    case 'StepSucceeded': {
      const outcome = isCompensation(event.data.step) ? 'compensated' : 'succeeded';
      return {
        at,
        step: event.data.step,
        outcome,
        ...(event.data.detail ? { detail: event.data.detail } : {}),
      };
    }
    case 'StepFailed':
      return { at, step: event.data.step, outcome: 'failed', detail: event.data.reason };
    case 'StepTimedOut':
      return { at, step: event.data.step, outcome: 'timed-out' };
    case 'StepWaiting':
      return { at, step: event.data.step, outcome: 'waiting' };
    case 'CancellationRequested':
      return { at, step: 'cancel', outcome: 'requested', detail: event.data.reason };
    case 'CancellationRefused':
      return { at, step: 'cancel', outcome: 'refused', detail: event.data.reason };
    case 'OrderConfirmed':
      return { at, step: 'order', outcome: 'confirmed' };
    case 'OrderRejected':
      return { at, step: 'order', outcome: 'rejected', detail: event.data.reason };
    case 'OrderCancelled':
      return { at, step: 'order', outcome: 'cancelled', detail: event.data.reason };
    case 'OrderShipped':
      return { at, step: 'shipment', outcome: 'shipped' };
    case 'OrderDelivered':
      return { at, step: 'shipment', outcome: 'delivered' };
    case 'ParcelNewsHeard':
      return { at, step: 'shipment', outcome: `${event.data.kind}-early` };
  }
}

const succeeded = (order: Order, step: Step) =>
  order.timeline.some((entry) => entry.step === step && entry.outcome === 'succeeded');

function nextStatus(order: Order, event: OrderEvent): OrderStatus {
  const { status } = order;
  switch (event.type) {
    case 'StepSucceeded':
      // Choreography reserves and authorizes in parallel: PAYMENT_AUTHORIZED needs both.
      if (event.data.step === 'reserve-stock' && status === 'PENDING')
        return succeeded(order, 'authorize-payment') ? 'PAYMENT_AUTHORIZED' : 'STOCK_RESERVED';
      if (event.data.step === 'authorize-payment' && status === 'STOCK_RESERVED') return 'PAYMENT_AUTHORIZED';
      return status;
    case 'OrderConfirmed':
      return 'CONFIRMED';
    case 'OrderRejected':
      return 'REJECTED';
    case 'OrderCancelled':
      return 'CANCELLED';
    case 'OrderShipped':
      return isTerminal(status) ? status : 'SHIPPED';
    case 'OrderDelivered':
      return status === 'CANCELLED' || status === 'REJECTED' ? status : 'DELIVERED';
    default:
      return status;
  }
}

/** The order as its events say it is; undefined before it was placed. */
export function evolve(order: Order | undefined, recorded: RecordedEvent, id: string): Order | undefined {
  const { event, at } = recorded;
  if (event.type === 'OrderPlaced') {
    return {
      id,
      ...event.data,
      status: 'PENDING',
      timeline: [timelineEntry(event, at)],
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
  }
  if (!order) return undefined;
  const status = nextStatus(order, event);
  const reason =
    event.type === 'OrderRejected' || event.type === 'OrderCancelled' ? event.data.reason : order.reason;
  const next: Order = {
    ...order,
    status,
    ...(reason !== undefined ? { reason } : {}),
    timeline: [...order.timeline, timelineEntry(event, at)],
    updatedAt: at,
    version: order.version + 1,
  };
  if (event.type === 'ParcelNewsHeard') next.heldNews = [...(order.heldNews ?? []), event.data];
  // Kept until the order is past confirmation (recorded then) or undone.
  if (next.heldNews && !KEEPS_NEWS.includes(status)) delete next.heldNews;
  return next;
}

export function fold(id: string, events: RecordedEvent[]): Order | undefined {
  return events.reduce<Order | undefined>((order, recorded) => evolve(order, recorded, id), undefined);
}
