import type { Envelope } from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import type { Kind } from './channels.ts';
import type { EventFacts } from './views.ts';

/** What an event asks us to tell, and whom: a user directly, or the owner of an order. */
export interface Notice {
  kind: Kind;
  userId?: string;
  orderId?: string;
  facts: EventFacts;
}

/** The event types that make a message, with the kind of message each makes. */
export const NOTICE_KINDS = {
  'identity.user.registered': 'welcome',
  'order.confirmed': 'order-confirmed',
  'order.cancelled': 'order-cancelled',
  'order.rejected': 'order-rejected',
  'shipping.shipped': 'shipment-shipped',
  'shipping.delivered': 'shipment-delivered',
  'payment.refunded': 'payment-refunded',
} as const satisfies Partial<Record<EventType, Kind>>;

/** The event's data; the bus has already checked it against the contract of its type. */
function dataOf<T extends EventType>(event: Envelope, _type: T): EventData<T> {
  return event.data as EventData<T>;
}

/** The message `event` calls for, or undefined when it calls for none (it only feeds a copy). */
export function noticeOf(event: Envelope): Notice | undefined {
  switch (event.type) {
    case 'identity.user.registered':
      return { kind: 'welcome', userId: dataOf(event, 'identity.user.registered').userId, facts: {} };
    case 'order.confirmed': {
      const { orderId, userId } = dataOf(event, 'order.confirmed');
      return { kind: 'order-confirmed', userId, orderId, facts: {} };
    }
    case 'order.cancelled':
    case 'order.rejected': {
      const { orderId, userId, reason } = dataOf(event, 'order.cancelled');
      return { kind: NOTICE_KINDS[event.type], userId, orderId, facts: { reason } };
    }
    case 'shipping.shipped':
    case 'shipping.delivered': {
      const { orderId, trackingNumber, at } = dataOf(event, 'shipping.shipped');
      return { kind: NOTICE_KINDS[event.type], orderId, facts: { trackingNumber, at } };
    }
    case 'payment.refunded': {
      const { orderId, amount, refundedTotal } = dataOf(event, 'payment.refunded');
      return { kind: 'payment-refunded', orderId, facts: { amount, refundedTotal } };
    }
    default:
      return undefined;
  }
}
