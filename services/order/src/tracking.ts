// The parcel's progress, heard from shipping: SHIPPED and DELIVERED on the order
// (domain/order.ts decides, `commit` records).
import type { Bus } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { commit } from './commit.ts';
import { type ParcelNews, parcelNews } from './domain/order.ts';
import { lockOrder } from './holds.ts';

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
      // A parcel can ship before the saga has confirmed its order (shipping is scheduled
      // before the capture, and the saga may be behind): its news is kept on the order
      // and recorded by the move that confirms it (domain/order.ts).
      await commit(tx, order, { events: parcelNews(order, news) });
    },
    { maxBatch: 32 },
  );
}
