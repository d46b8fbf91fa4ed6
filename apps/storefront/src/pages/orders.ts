// An order as its shopper follows it: where it is in the checkout (live, as each step
// happens), what it cost and what was charged or refunded, and what went wrong in words;
// and the list of their orders.
import type { orders, payments, shipping } from '@platform/contracts';
import { type Html, html } from '@platform/web';
import { orderOutcome } from '../domain/explain.ts';
import { isSettled, money, statusWords, timelineWords, when } from '../domain/words.ts';
import type { Paging } from './catalog.ts';
import { pager } from './catalog.ts';
import { formTokenField } from './layout.ts';

/** What the gateway composes for an order's page (`/api/v1/orders/{id}/details`). */
export interface OrderDetails {
  order: orders.Order;
  payment: payments.Payment | null;
  shipment: shipping.Shipment | null;
  warnings: Array<{ part: string; detail: string }>;
}

const CANCELLABLE = ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED'];

function charged(order: orders.Order, payment: payments.Payment | null): Html {
  if (!payment) return html`<p>Nothing has been charged.</p>`;
  const amount = (minor: number) => money({ amount: minor, currency: payment.currency });
  const card = `${payment.card.brand} card ending ${payment.card.last4}`;
  const lines: Html[] = [];
  if (payment.captured > 0) lines.push(html`<li>Charged ${amount(payment.captured)} to your ${card}.</li>`);
  else if (payment.authorized > 0 && !isSettled(order.status))
    lines.push(
      html`<li>${amount(payment.authorized)} is held on your ${card}; it is charged once the parcel is booked.</li>`,
    );
  if (payment.refunded > 0)
    lines.push(html`<li class="refund">Refunded ${amount(payment.refunded)} to your ${card}.</li>`);
  if (lines.length === 0) lines.push(html`<li>Nothing has been charged to your ${card}.</li>`);
  return html`<ul class="money">${lines}</ul>`;
}

/**
 * The live part of the order's page (sent again at each step): its status, what went
 * wrong in words, the money, each step so far, and what the shopper can still do.
 */
export function orderLive(details: OrderDetails, options: { formToken: string; shortages: string[] }): Html {
  const { order, payment, shipment } = details;
  const outcome = orderOutcome(order.status, order.reason);
  const cancellable = CANCELLABLE.includes(order.status);
  const token = formTokenField(options.formToken);
  return html`<p class="status-line">Status: <strong id="order-status" data-status="${order.status}">${statusWords(order.status)}</strong>${isSettled(order.status) ? '' : html` <span class="muted">(this page follows it as it happens)</span>`}</p>
${outcome ? html`<p class="notice ${order.status === 'CANCELLED' ? 'done' : 'problem'}" id="order-outcome">${outcome}</p>` : ''}
${options.shortages.length ? html`<ul id="order-shortages">${options.shortages.map((text) => html`<li>${text}</li>`)}</ul>` : ''}
<h2>Payment</h2>
${charged(order, payment)}
${shipment ? html`<p>Parcel ${shipment.trackingNumber}: ${shipment.status.toLowerCase().replaceAll('_', ' ')}.</p>` : ''}
<h2>What happened</h2>
<ol class="timeline">${order.timeline.map(
    (entry) =>
      html`<li><time datetime="${entry.at}">${when(entry.at)}</time> ${timelineWords(entry.step, entry.outcome)}</li>`,
  )}</ol>
<div class="actions">
${
  cancellable
    ? html`<form method="post" action="/orders/${order.id}/cancel">${token}<button type="submit" aria-label="Cancel this order">Cancel order</button></form>`
    : ''
}
${
  order.status === 'REJECTED' || order.status === 'CANCELLED'
    ? html`<form method="post" action="/orders/${order.id}/reorder">${token}<button type="submit" aria-label="Put these items back in my cart">Put these items back in my cart</button></form>`
    : ''
}
</div>`;
}

export function orderBody(details: OrderDetails, live: Html): Html {
  const { order } = details;
  const { totals } = order;
  const price = (amount: number) => money({ amount, currency: totals.currency });
  const address = order.shippingAddress;
  return html`<p class="muted">Placed ${when(order.createdAt)} · order ${order.id}</p>
<section class="live" aria-live="polite" aria-label="Order status" data-live="/orders/${order.id}/live">${live}</section>
<h2>Items</h2>
<table class="lines">
<caption class="visually-hidden">Items of this order</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Price</th></tr></thead>
<tbody>${order.items.map(
    (item) =>
      html`<tr><th scope="row"><a href="/p/${item.productId}">${item.name}</a></th><td>${item.quantity}</td><td>${money({ amount: item.unitPrice.amount * item.quantity, currency: item.unitPrice.currency })}</td></tr>`,
  )}</tbody>
<tfoot>
<tr><th scope="row" colspan="2">Subtotal</th><td>${price(totals.subtotal)}</td></tr>
<tr><th scope="row" colspan="2">Delivery</th><td>${price(totals.shipping)}</td></tr>
<tr><th scope="row" colspan="2">Tax</th><td>${price(totals.tax)}</td></tr>
<tr><th scope="row" colspan="2">Total</th><td id="order-total">${price(totals.total)}</td></tr>
</tfoot>
</table>
<h2>Delivery address</h2>
<address>${address.name}<br>${address.line1}<br>${address.line2 ? html`${address.line2}<br>` : ''}${address.postalCode} ${address.city}<br>${address.country}</address>
<p>Paid with the ${order.card.brand} card ending ${order.card.last4}.</p>`;
}

type OrderSummary = Omit<orders.Order, 'timeline' | 'shippingAddress' | 'items'>;

export function ordersBody(list: OrderSummary[], paging: Paging): Html {
  if (list.length === 0)
    return html`<p>You have not ordered anything yet. <a href="/">Start shopping</a>.</p>`;
  return html`<table class="lines">
<caption class="visually-hidden">Your orders, newest first</caption>
<thead><tr><th scope="col">Placed</th><th scope="col">Order</th><th scope="col">Status</th><th scope="col">Total</th></tr></thead>
<tbody>${list.map(
    (order) =>
      html`<tr><td>${when(order.createdAt)}</td><th scope="row"><a href="/orders/${order.id}">Order ${order.id.slice(0, 8)}</a></th><td>${statusWords(order.status)}</td><td>${money({ amount: order.totals.total, currency: order.totals.currency })}</td></tr>`,
  )}</tbody>
</table>
${pager(paging)}`;
}
