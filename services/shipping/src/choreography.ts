import type { Bus, Envelope, Tx } from '@platform/chassis';
import type { EventData, eventSchemas } from '@platform/contracts';
import { readyToSchedule } from './domain/pending-order.ts';
import { dataOf } from './handlers.ts';
import {
  type CheckoutFact,
  notePendingFact,
  type OrderDetails,
  settlePendingOrder,
} from './pending-orders.ts';
import { type CarrierRules, cancelShipment, scheduleShipment } from './shipments.ts';

// Choreography: no saga asks; shipping reacts to the other services' facts. It ships
// once the order, its stock and its payment are all in (in any order), and cancels
// (or leaves a tombstone) when any of them fails. The order's timeout and its
// customer's cancel come to shipping first, since only shipping knows whether the
// parcel has left: its `shipping.cancelled` is what payment and inventory undo on.

type ShippingTx = Tx<typeof eventSchemas>;

const FACTS = [
  'order.created',
  'inventory.stock.reserved',
  'payment.authorized',
  'inventory.stock.reservation-failed',
  'payment.failed',
  'order.timed-out',
  'order.cancel-requested',
] as const;

function detailsOf(order: EventData<'order.created'>): OrderDetails {
  return {
    userId: order.userId,
    address: order.shippingAddress,
    lines: order.items.map(({ productId, quantity, weightGrams }) => ({ productId, quantity, weightGrams })),
  };
}

/** Notes one of the three facts; the one that completes them schedules the shipment. */
async function noteFact(
  tx: ShippingTx,
  orderId: string,
  fact: CheckoutFact,
  rules: CarrierRules,
  details?: OrderDetails,
): Promise<void> {
  const pending = await notePendingFact(tx, orderId, fact, details);
  if (!readyToSchedule(pending) || !pending.details) return;
  const outcome = await scheduleShipment(tx, { orderId, ...pending.details }, rules);
  await settlePendingOrder(tx, orderId);
  await tx.publish({ ...outcome, subject: orderId });
}

/** The checkout failed or gave up: cancel what is scheduled, or leave a tombstone. */
async function cancelFor(tx: ShippingTx, orderId: string, reason: string): Promise<void> {
  const outcome = await cancelShipment(tx, orderId, reason);
  await tx.publish({ ...outcome, subject: orderId });
}

async function onFact(tx: ShippingTx, event: Envelope, rules: CarrierRules): Promise<void> {
  switch (event.type) {
    case 'order.created': {
      const order = dataOf(event, 'order.created');
      return noteFact(tx, order.orderId, 'order', rules, detailsOf(order));
    }
    case 'inventory.stock.reserved':
      return noteFact(tx, dataOf(event, 'inventory.stock.reserved').orderId, 'stock', rules);
    case 'payment.authorized':
      return noteFact(tx, dataOf(event, 'payment.authorized').orderId, 'payment', rules);
    case 'inventory.stock.reservation-failed': {
      const { orderId, reason } = dataOf(event, 'inventory.stock.reservation-failed');
      return cancelFor(tx, orderId, `stock reservation failed: ${reason}`);
    }
    case 'payment.failed': {
      const { orderId, reason } = dataOf(event, 'payment.failed');
      return cancelFor(tx, orderId, `payment failed: ${reason}`);
    }
    case 'order.timed-out': {
      const { orderId, step } = dataOf(event, 'order.timed-out');
      return cancelFor(tx, orderId, `order timed out at ${step}`);
    }
    case 'order.cancel-requested': {
      const { orderId, reason } = dataOf(event, 'order.cancel-requested');
      return cancelFor(tx, orderId, `order cancelled: ${reason}`);
    }
  }
}

export async function subscribeToFacts(bus: Bus<typeof eventSchemas>, rules: CarrierRules): Promise<void> {
  await bus.subscribe('shipping-choreography', [...FACTS], (event, { tx }) => onFact(tx, event, rules), {
    maxBatch: 32,
  });
}
