// What the rest of the platform hears of an order: the facts its events make, and
// what choreography announces for the other services to act on.
import type { EventData } from '@platform/contracts';
import type { Announcement } from './choreography.ts';
import type { Order, OrderEvent } from './order.ts';

type FactType =
  | 'order.created'
  | 'order.confirmed'
  | 'order.rejected'
  | 'order.cancelled'
  | 'order.shipped'
  | 'order.delivered'
  | 'order.timed-out'
  | 'order.cancel-requested';

/** An order fact with its data, as its contract has it. */
export type OrderFact = { [T in FactType]: { type: T; data: EventData<T> } }[FactType];

function factOf(order: Order, event: OrderEvent): OrderFact | undefined {
  const about = { orderId: order.id, userId: order.userId };
  switch (event.type) {
    case 'OrderPlaced':
      return {
        type: 'order.created',
        data: {
          ...about,
          items: order.items,
          totals: order.totals,
          shippingAddress: order.shippingAddress,
          paymentMethodId: order.paymentMethodId,
          fromCart: order.fromCart,
          placedAt: order.createdAt,
        },
      };
    case 'OrderConfirmed':
      return { type: 'order.confirmed', data: { ...about, totals: order.totals } };
    case 'OrderRejected':
      return { type: 'order.rejected', data: { ...about, reason: event.data.reason } };
    case 'OrderCancelled':
      return { type: 'order.cancelled', data: { ...about, reason: event.data.reason } };
    case 'OrderShipped':
      return { type: 'order.shipped', data: about };
    case 'OrderDelivered':
      return { type: 'order.delivered', data: about };
    default:
      return undefined;
  }
}

function announcementOf(order: Order, announcement: Announcement): OrderFact {
  const about = { orderId: order.id, userId: order.userId };
  return announcement.type === 'order.timed-out'
    ? { type: 'order.timed-out', data: { ...about, step: announcement.step } }
    : { type: 'order.cancel-requested', data: { ...about, reason: announcement.reason } };
}

/** The facts of `events` just recorded (`order` is the order after them), then `announce`'s. */
export function factsOf(order: Order, events: OrderEvent[], announce?: Announcement | null): OrderFact[] {
  const facts = events.flatMap((event) => factOf(order, event) ?? []);
  return announce ? [...facts, announcementOf(order, announce)] : facts;
}
