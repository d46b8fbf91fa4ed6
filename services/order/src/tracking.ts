// The parcel's progress, heard from shipping: SHIPPED and DELIVERED on the order.
import type { Bus } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import type { OrderEvent } from './domain/order.ts';
import { publishOrderFacts } from './facts.ts';
import { appendEvents, loadOrder } from './store.ts';

export async function trackShipments(bus: Bus<typeof eventSchemas>): Promise<void> {
  await bus.subscribe('order-tracking', ['shipping.shipped', 'shipping.delivered'], async (event, { tx }) => {
    const orderId = event.subject;
    if (!orderId) return;
    await tx.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
    const order = await loadOrder(tx, orderId);
    if (!order) return;
    if (['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED'].includes(order.status)) {
      // The parcel left before the capture and commit were heard (a fast carrier): the
      // bus retries this fact with backoff, so SHIPPED always follows CONFIRMED.
      throw new Error(`order ${orderId} is not confirmed yet (${order.status})`);
    }
    const data = event.data as { trackingNumber?: string };
    let happened: OrderEvent | undefined;
    if (event.type === 'shipping.shipped' && order.status === 'CONFIRMED') {
      happened = {
        type: 'OrderShipped',
        data: data.trackingNumber ? { trackingNumber: data.trackingNumber } : {},
      };
    } else if (
      event.type === 'shipping.delivered' &&
      (order.status === 'SHIPPED' || order.status === 'CONFIRMED')
    ) {
      happened = { type: 'OrderDelivered', data: {} };
    }
    if (!happened) return;
    const after = await appendEvents(tx, orderId, order, [happened]);
    await publishOrderFacts(tx, after, [happened]);
  });
}
