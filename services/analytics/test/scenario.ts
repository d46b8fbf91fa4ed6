import { randomUUID } from 'node:crypto';
import type { Envelope } from '@platform/chassis';
import type { commerce } from '@platform/contracts';
import { envelope } from './harness.ts';

// A scripted week of orders, and the figures worked out by hand from it (below).

export const P1 = '10000000-0000-4000-8000-000000000001';
export const P2 = '10000000-0000-4000-8000-000000000002';
export const P3 = '10000000-0000-4000-8000-000000000003';
export const P4 = '10000000-0000-4000-8000-000000000004';

const catalog = {
  [P1]: { sku: 'A-1', name: 'Alpha headphones', category: 'audio', price: 1_000 },
  [P2]: { sku: 'B-2', name: 'Beta speaker', category: 'audio', price: 2_500 },
  [P3]: { sku: 'C-3', name: 'Gamma novel', category: 'books', price: 500 },
  [P4]: { sku: 'D-4', name: 'Delta atlas', category: 'books', price: 1_200 },
};

export const order = (n: number) => `20000000-0000-4000-8000-00000000000${n}`;
const user = '30000000-0000-4000-8000-000000000001';
const address = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };

function line(productId: keyof typeof catalog, quantity: number, currency: string): commerce.OrderLine {
  const product = catalog[productId];
  return {
    productId,
    sku: product.sku,
    name: product.name,
    category: product.category,
    quantity,
    unitPrice: { amount: product.price, currency },
    weightGrams: 100,
  };
}

function totals(subtotal: number, tax: number, shipping: number, currency = 'USD'): commerce.OrderTotals {
  return { subtotal, tax, shipping, total: subtotal + tax + shipping, currency };
}

export function created(
  n: number,
  placedAt: string,
  items: commerce.OrderLine[],
  sums: commerce.OrderTotals,
) {
  return envelope(
    'order.created',
    {
      orderId: order(n),
      userId: user,
      items,
      totals: sums,
      shippingAddress: address,
      paymentMethodId: 'pm_test',
      placedAt,
    },
    placedAt,
  );
}
export const confirmed = (n: number, at: string, sums: commerce.OrderTotals) =>
  envelope('order.confirmed', { orderId: order(n), userId: user, totals: sums }, at);
export const rejected = (n: number, at: string) =>
  envelope('order.rejected', { orderId: order(n), userId: user, reason: 'card declined' }, at);
export const cancelled = (n: number, at: string) =>
  envelope('order.cancelled', { orderId: order(n), userId: user, reason: 'customer asked' }, at);
export const delivered = (n: number, at: string) =>
  envelope('order.delivered', { orderId: order(n), userId: user }, at);

const payments = new Map<number, string>();
/** A refund of `amount`, `refundedTotal` refunded so far; `refundId` names the refund (a repeat keeps it). */
export function refunded(
  n: number,
  at: string,
  amount: number,
  refundedTotal: number,
  refundId = randomUUID(),
) {
  const paymentId = payments.get(n) ?? randomUUID();
  payments.set(n, paymentId);
  return envelope(
    'payment.refunded',
    {
      orderId: order(n),
      paymentId,
      refundId,
      amount: { amount, currency: 'USD' },
      refundedTotal: { amount: refundedTotal, currency: 'USD' },
    },
    at,
  );
}

/** The same fact published again (a producer's retry or a repeated reply): a new id, the same data. */
export const republished = (event: Envelope, time = event.time): Envelope => ({
  ...event,
  id: randomUUID(),
  time: new Date(time).toISOString(),
});

const t1 = totals(2_500, 200, 300); // O1: P1 x2 + P3 x1 = 3000
const t2 = totals(2_500, 0, 500); // O2: P2 x1 = 3000
const t3 = totals(6_000, 480, 520); // O3: P1 x1 + P2 x2 = 7000
const t4 = totals(2_000, 0, 0); // O4: P3 x4 = 2000
const t5 = totals(3_600, 400, 0, 'EUR'); // O5: P4 x3 = 4000 EUR
const t6 = totals(1_000, 0, 0); // O6: P1 x1 = 1000
const t7 = totals(2_500, 0, 0); // O7: P2 x1 = 2500

/**
 * Seven orders, in the order the bus carries them: a confirmation before its order
 * (O5), refunds out of order (O3) and repeated (O2), a repeated confirmation (O5).
 */
export function scriptedEvents(): Envelope[] {
  const o2Refund = refunded(2, '2025-03-01T15:00:00Z', 3_000, 3_000);
  const o5Confirmed = confirmed(5, '2025-03-02T11:00:04Z', t5);
  return [
    created(1, '2025-03-01T10:00:00Z', [line(P1, 2, 'USD'), line(P3, 1, 'USD')], t1),
    confirmed(1, '2025-03-01T10:00:05Z', t1),
    created(2, '2025-03-01T12:00:00Z', [line(P2, 1, 'USD')], t2),
    confirmed(2, '2025-03-01T12:00:05Z', t2),
    o2Refund,
    cancelled(2, '2025-03-01T15:00:01Z'),
    republished(o2Refund, '2025-03-01T15:00:02Z'),
    o5Confirmed,
    created(3, '2025-03-02T09:00:00Z', [line(P1, 1, 'USD'), line(P2, 2, 'USD')], t3),
    refunded(3, '2025-03-02T18:00:00Z', 500, 1_500),
    confirmed(3, '2025-03-02T09:00:05Z', t3),
    refunded(3, '2025-03-02T17:00:00Z', 1_000, 1_000),
    created(4, '2025-03-02T10:00:00Z', [line(P3, 4, 'USD')], t4),
    rejected(4, '2025-03-02T10:00:03Z'),
    created(5, '2025-03-02T11:00:00Z', [line(P4, 3, 'EUR')], t5),
    republished(o5Confirmed, '2025-03-02T11:00:09Z'),
    delivered(3, '2025-03-02T21:00:00Z'),
    delivered(1, '2025-03-03T10:00:00Z'),
    created(6, '2025-03-03T08:00:00Z', [line(P1, 1, 'USD')], t6),
    created(7, '2025-03-03T09:00:00Z', [line(P2, 1, 'USD')], t7),
    cancelled(7, '2025-03-03T09:30:00Z'),
    delivered(5, '2025-03-04T11:00:00Z'),
  ];
}

// The figures, by hand. Sales are confirmed orders (O1, O2, O3, O5), by the UTC day
// they were placed; refunds are what each order's payment refunded in total.
export const expected = {
  funnel: {
    created: 7,
    confirmed: 4,
    rejected: 1,
    cancelled: 2,
    delivered: 3,
    conversion: { confirmed: 0.5714, rejected: 0.1429, cancelled: 0.2857, delivered: 0.4286 },
  },
  daily: [
    { day: '2025-03-02', currency: 'EUR', orders: 1, units: 3, gross: 4_000, refunded: 0, net: 4_000 },
    { day: '2025-03-02', currency: 'USD', orders: 1, units: 3, gross: 7_000, refunded: 1_500, net: 5_500 },
    { day: '2025-03-01', currency: 'USD', orders: 2, units: 4, gross: 6_000, refunded: 3_000, net: 3_000 },
  ],
  categories: [
    { category: 'audio', currency: 'USD', orders: 3, units: 6, revenue: 10_500 },
    { category: 'books', currency: 'EUR', orders: 1, units: 3, revenue: 3_600 },
    { category: 'books', currency: 'USD', orders: 1, units: 1, revenue: 500 },
  ],
  topByUnits: [
    {
      productId: P1,
      sku: 'A-1',
      name: 'Alpha headphones',
      currency: 'USD',
      orders: 2,
      units: 3,
      revenue: 3_000,
    },
    { productId: P2, sku: 'B-2', name: 'Beta speaker', currency: 'USD', orders: 2, units: 3, revenue: 7_500 },
    { productId: P4, sku: 'D-4', name: 'Delta atlas', currency: 'EUR', orders: 1, units: 3, revenue: 3_600 },
    { productId: P3, sku: 'C-3', name: 'Gamma novel', currency: 'USD', orders: 1, units: 1, revenue: 500 },
  ],
  revenue: [
    { currency: 'EUR', orders: 1, gross: 4_000, refunded: 0, net: 4_000 },
    { currency: 'USD', orders: 3, gross: 13_000, refunded: 4_500, net: 8_500 },
  ],
  // O1 2 days, O3 12 hours, O5 2 days: (172800 + 43200 + 172800) / 3.
  deliveryTime: { orders: 3, averageSeconds: 129_600 },
  /** Distinct events in `scriptedEvents`. */
  events: 22,
  newestEventAt: '2025-03-04T11:00:00.000Z',
};
