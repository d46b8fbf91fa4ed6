import type { Tx } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import type { Order, OrderEvent } from './domain/order.ts';

/** Publishes, in the caller's transaction, what the rest of the platform hears of these events. */
export async function publishOrderFacts(tx: Tx<typeof eventSchemas>, order: Order, events: OrderEvent[]) {
  const about = { orderId: order.id, userId: order.userId };
  for (const event of events) {
    const subject = order.id;
    switch (event.type) {
      case 'OrderConfirmed':
        await tx.publish({ type: 'order.confirmed', subject, data: { ...about, totals: order.totals } });
        break;
      case 'OrderRejected':
        await tx.publish({ type: 'order.rejected', subject, data: { ...about, reason: event.data.reason } });
        break;
      case 'OrderCancelled':
        await tx.publish({ type: 'order.cancelled', subject, data: { ...about, reason: event.data.reason } });
        break;
      case 'OrderShipped':
        await tx.publish({ type: 'order.shipped', subject, data: about });
        break;
      case 'OrderDelivered':
        await tx.publish({ type: 'order.delivered', subject, data: about });
        break;
      default:
        break;
    }
  }
}
