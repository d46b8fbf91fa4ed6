// The parcel's progress, heard from shipping: SHIPPED and DELIVERED on the order
// (domain/order.ts decides, `commit` records). News that arrives together shares a
// transaction: its orders held in one statement, its moves written in one.
import type { Bus, Envelope } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { type BatchOfMoves, commit, movesInBatches, type OrderTx } from './commit.ts';
import { type ParcelNews, parcelNews } from './domain/order.ts';
import { batchHolds, holdOrder, holdOrders } from './holds.ts';

export async function trackShipments(bus: Bus<typeof eventSchemas>): Promise<void> {
  const holds = batchHolds(holdOrders, holdOrder);

  /** News of one parcel; in a `batch`, its order's move is written with the batch's. */
  async function onParcelNews(event: Envelope, tx: OrderTx, batch?: BatchOfMoves<undefined>): Promise<void> {
    const orderId = event.subject;
    if (!orderId) return;
    const held = batch
      ? await batch.hold(orderId, () => holds.hold(tx, orderId))
      : await holds.hold(tx, orderId);
    if (!held) return;
    const { trackingNumber } = event.data as { trackingNumber?: string };
    const news: ParcelNews =
      event.type === 'shipping.shipped'
        ? { kind: 'shipped', ...(trackingNumber ? { trackingNumber } : {}) }
        : { kind: 'delivered' };
    // A parcel can ship before the saga has confirmed its order (shipping is scheduled
    // before the capture, and the saga may be behind): its news is kept on the order
    // and recorded by the move that confirms it (domain/order.ts).
    const after = await commit(tx, held.order, { events: parcelNews(held.order, news) }, batch);
    batch?.moved({ ...held, order: after });
  }

  await bus.subscribe(
    'order-tracking',
    ['shipping.shipped', 'shipping.delivered'],
    (event, { tx }) => onParcelNews(event, tx),
    movesInBatches(holds.lockBatch, onParcelNews),
  );
}
