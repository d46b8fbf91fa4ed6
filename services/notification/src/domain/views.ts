import type { commerce, Money } from '@platform/contracts';
import type { Kind } from './channels.ts';
import { formatMoney } from './money.ts';

// What a template sees: every value already worded (money formatted, dates written
// out), so templates stay logic-less.

export interface KnownUser {
  userId: string;
  email: string;
  name: string;
}

/** The local copy of an order, kept from `order.created`. */
export interface KnownOrder {
  orderId: string;
  userId: string;
  items: commerce.OrderLine[];
  totals: commerce.OrderTotals;
}

/** What the event itself says, beyond the user and the order. */
export interface EventFacts {
  reason?: string;
  trackingNumber?: string;
  at?: string;
  amount?: Money;
  refundedTotal?: Money;
}

export interface MessageView {
  kind: Kind;
  name: string;
  email: string;
  shopUrl: string;
  order?: {
    id: string;
    ref: string;
    url: string;
    items: Array<{ name: string; sku: string; quantity: number; unitPrice: string; lineTotal: string }>;
    subtotal: string;
    tax: string;
    shipping: string;
    total: string;
  };
  reason?: string;
  trackingNumber?: string;
  at?: string;
  amount?: string;
  refundedTotal?: string;
}

/** The short reference people read: the first block of the order id, upper-cased. */
export function orderRef(orderId: string): string {
  return (orderId.split('-')[0] ?? orderId).toUpperCase();
}

function orderView(order: KnownOrder, shopUrl: string): NonNullable<MessageView['order']> {
  const currency = order.totals.currency;
  const money = (amount: number) => formatMoney({ amount, currency });
  return {
    id: order.orderId,
    ref: orderRef(order.orderId),
    url: `${shopUrl}/orders/${order.orderId}`,
    items: order.items.map((line) => ({
      name: line.name,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: formatMoney(line.unitPrice),
      lineTotal: formatMoney({
        amount: line.unitPrice.amount * line.quantity,
        currency: line.unitPrice.currency,
      }),
    })),
    subtotal: money(order.totals.subtotal),
    tax: money(order.totals.tax),
    shipping: money(order.totals.shipping),
    total: money(order.totals.total),
  };
}

// Made once: building a formatter costs more than formatting (a few per cent of the
// service's CPU under checkout load, when it was made per call).
const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** A date as people read it in an e-mail, in UTC so every recipient sees the same words. */
export function formatDate(iso: string): string {
  return `${DATE_FORMAT.format(new Date(iso))} UTC`;
}

export function messageView(input: {
  kind: Kind;
  user: KnownUser;
  order?: KnownOrder | undefined;
  facts?: EventFacts;
  shopUrl: string;
}): MessageView {
  const { facts = {} } = input;
  return {
    kind: input.kind,
    name: input.user.name,
    email: input.user.email,
    shopUrl: input.shopUrl,
    ...(input.order ? { order: orderView(input.order, input.shopUrl) } : {}),
    ...(facts.reason ? { reason: facts.reason } : {}),
    ...(facts.trackingNumber ? { trackingNumber: facts.trackingNumber } : {}),
    ...(facts.at ? { at: formatDate(facts.at) } : {}),
    ...(facts.amount ? { amount: formatMoney(facts.amount) } : {}),
    ...(facts.refundedTotal ? { refundedTotal: formatMoney(facts.refundedTotal) } : {}),
  };
}
