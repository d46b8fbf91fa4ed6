// The parcel's progress, heard from shipping: SHIPPED and DELIVERED on the order
// (domain/order.ts decides, `commit` records).
import type { Bus } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { commit } from './commit.ts';
import { type ParcelNews, parcelNews } from './domain/order.ts';
import { lockOrder } from './store.ts';

export async function trackShipments(bus: Bus<typeof eventSchemas>): Promise<void> {
  await bus.subscribe(
    'order-tracking',
    ['shipping.shipped', 'shipping.delivered'],
    async (event, { tx }) => {
      const orderId = event.subject;
      if (!orderId) return;
      const order = await lockOrder(tx, orderId);
      if (!order) return;
      const { trackingNumber } = event.data as { trackingNumber?: string };
      const news: ParcelNews =
        event.type === 'shipping.shipped'
          ? { kind: 'shipped', ...(trackingNumber ? { trackingNumber } : {}) }
          : { kind: 'delivered' };
      const events = parcelNews(order, news);
      // The bus hears it again with backoff (below), so SHIPPED always follows CONFIRMED.
      if (events === 'not-confirmed-yet')
        throw new Error(`order ${orderId} is not confirmed yet (${order.status})`);
      await commit(tx, order, { events });
    },
    // A parcel can ship before the saga has confirmed its order (shipping is scheduled
    // before the capture, and the order service may be restarting): its news waits,
    // retried for about two and a half minutes, longer than the saga takes to end.
    { maxBatch: 32, retry: { maxAttempts: 12, maxDelayMs: 30_000 } },
  );
}
