// The parcel's progress, heard from shipping: SHIPPED and DELIVERED on the order
// (domain/order.ts decides).
import type { Bus } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { type ParcelNews, parcelNews } from './domain/order.ts';
import { publishOrderFacts } from './facts.ts';
import { appendEvents, loadOrder } from './store.ts';

export async function trackShipments(bus: Bus<typeof eventSchemas>): Promise<void> {
  await bus.subscribe('order-tracking', ['shipping.shipped', 'shipping.delivered'], async (event, { tx }) => {
    const orderId = event.subject;
    if (!orderId) return;
    await tx.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
    const order = await loadOrder(tx, orderId);
    if (!order) return;
    const { trackingNumber } = event.data as { trackingNumber?: string };
    const news: ParcelNews =
      event.type === 'shipping.shipped'
        ? { kind: 'shipped', ...(trackingNumber ? { trackingNumber } : {}) }
        : { kind: 'delivered' };
    const happened = parcelNews(order, news);
    // The bus hears it again with backoff, so SHIPPED always follows CONFIRMED.
    if (happened === 'not-confirmed-yet')
      throw new Error(`order ${orderId} is not confirmed yet (${order.status})`);
    if (!happened.length) return;
    const after = await appendEvents(tx, orderId, order, happened);
    await publishOrderFacts(tx, after, happened);
  });
}
