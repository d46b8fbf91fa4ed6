// How the shop says numbers and states in words: money, stock, order statuses, dates.

/** `{ amount: 129900, currency: 'USD' }` as `$1,299.00` (minor units, whatever the currency's digits). */
export function money(price: { amount: number; currency: string }): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: price.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(price.amount / 10 ** digits);
}

export type StockStatus = 'in-stock' | 'low' | 'out-of-stock' | 'unknown';

/** What a shopper reads about stock; `available` is null when inventory did not answer. */
export function stockWords(status: StockStatus, available: number | null): string {
  switch (status) {
    case 'in-stock':
      return 'In stock';
    case 'low':
      return available === null ? 'Only a few left' : `Only ${available} left`;
    case 'out-of-stock':
      return 'Sold out';
    case 'unknown':
      return 'Availability unknown just now';
  }
}

/** The stock status of a count: 5 or fewer is low (the storefront contract's rule). */
export function stockStatusOf(available: number | null): StockStatus {
  if (available === null) return 'unknown';
  if (available === 0) return 'out-of-stock';
  return available <= 5 ? 'low' : 'in-stock';
}

const STATUS: Record<string, string> = {
  PENDING: 'Received',
  STOCK_RESERVED: 'Items reserved',
  PAYMENT_AUTHORIZED: 'Payment authorised',
  CONFIRMED: 'Confirmed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  REJECTED: 'Not accepted',
  CANCELLED: 'Cancelled',
};

export const statusWords = (status: string): string => STATUS[status] ?? status;

/** The order has ended one way or the other: nothing more will happen to it by itself. */
export const isSettled = (status: string): boolean => ['DELIVERED', 'REJECTED', 'CANCELLED'].includes(status);

const STEPS: Record<string, string> = {
  'place-order': 'Order received',
  'reserve-stock': 'Reserving the items',
  'authorize-payment': 'Authorising the payment',
  'schedule-shipment': 'Booking the delivery',
  'capture-payment': 'Taking the payment',
  'commit-stock': 'Taking the items from stock',
  'release-stock': 'Putting the items back on the shelf',
  'cancel-payment': 'Releasing or refunding the payment',
  'cancel-shipment': 'Cancelling the delivery',
  cancel: 'Cancellation',
  order: 'Order',
  shipment: 'Parcel',
};

const OUTCOMES: Record<string, string> = {
  placed: '',
  succeeded: 'done',
  compensated: 'done',
  failed: 'failed',
  'timed-out': 'took too long',
  waiting: 'waiting for stock to come free',
  requested: 'asked for',
  refused: 'refused',
  confirmed: 'confirmed',
  rejected: 'not accepted',
  cancelled: 'cancelled',
  shipped: 'on its way',
  delivered: 'delivered',
  'shipped-early': 'on its way before the order was confirmed',
  'delivered-early': 'delivered before the order was confirmed',
};

/** One line of an order's timeline in words: "Reserving the items: done". */
export function timelineWords(step: string, outcome: string): string {
  const what = STEPS[step] ?? step;
  const how = OUTCOMES[outcome] ?? outcome;
  return how ? `${what}: ${how}` : what;
}

/** `2026-12-03T10:04:05Z` as `3 Dec 2026, 10:04` (UTC, the same on every server). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  }).format(new Date(iso));
}
