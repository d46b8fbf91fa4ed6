import type { orders } from '@platform/contracts';
import { type Html, html } from '@platform/web';

/** An order as the order service's books list it. */
export interface OrderBook {
  id: string;
  status: string;
  sagaMode: string;
  total: number;
  currency: string;
  updatedAt: string;
}

const SETTLED = new Set(['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED']);

function ago(at: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

function rows(list: OrderBook[], now: number, none: string): Html {
  // An empty table still says so in a cell: headers over nothing read as a broken table.
  if (list.length === 0) return html`<tr><td colspan="5">${none}</td></tr>`;
  return html`${list.map(
    (
      o,
    ) => html`<tr><th scope="row"><a href="/sagas/${o.id}">${o.id.slice(0, 8)}</a></th><td>${o.status}</td><td>${o.sagaMode}</td>
<td>${(o.total / 100).toFixed(2)} ${o.currency}</td><td>${ago(o.updatedAt, now)}</td></tr>`,
  )}`;
}

const HEAD = html`<thead><tr><th scope="col">Order</th><th scope="col">Status</th><th scope="col">Saga</th><th scope="col">Total</th><th scope="col">Last change</th></tr></thead>`;

/** Orders still moving through their saga, then the last ones that ended. */
export function sagasTables(books: OrderBook[], now = Date.now()): Html {
  const byChange = [...books].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  const moving = byChange.filter((o) => !SETTLED.has(o.status));
  const ended = byChange.filter((o) => SETTLED.has(o.status)).slice(0, 20);
  return html`<p class="summary">${moving.length} in flight, ${books.length - moving.length} ended</p>
<table><caption>In flight: the saga has not reached an end yet</caption>${HEAD}<tbody>${rows(moving, now, 'None in flight.')}</tbody></table>
<table><caption>Ended most recently</caption>${HEAD}<tbody>${rows(ended, now, 'None ended yet.')}</tbody></table>`;
}

/** One order: what it is, and every step of its saga as it was recorded. */
export function orderTimeline(order: orders.Order): Html {
  const steps = order.timeline.map(
    (t) =>
      html`<li><time datetime="${t.at}">${t.at.slice(11, 23)}</time> <strong>${t.step}</strong> ${t.outcome}${t.detail ? html` <small>${t.detail}</small>` : ''}</li>`,
  );
  return html`<dl class="facts">
<dt>Status</dt><dd>${order.status}${order.reason ? html` <small>${order.reason}</small>` : ''}</dd>
<dt>Saga</dt><dd>${order.sagaMode}</dd>
<dt>Total</dt><dd>${(order.totals.total / 100).toFixed(2)} ${order.totals.currency}</dd>
<dt>Lines</dt><dd>${order.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')}</dd>
<dt>Placed</dt><dd>${order.createdAt}</dd>
</dl>
<h2>Timeline</h2>
<ol class="timeline">${steps}</ol>`;
}

export interface OrderMessage {
  service: string;
  eventId: string;
  type: string;
  correlationId: string | null;
  causationId: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** The order's messages across the services, oldest first: who published what, and how soon it left. */
export function orderMessages(messages: OrderMessage[]): Html {
  if (messages.length === 0)
    return html`<h2>Messages</h2><p>No message about this order is kept (services keep what they published for a day).</p>`;
  const rows = messages.map((m) => {
    const wait = m.sentAt ? `${Math.max(0, Date.parse(m.sentAt) - Date.parse(m.createdAt))} ms` : 'waiting';
    return html`<tr><td><time datetime="${m.createdAt}">${m.createdAt.slice(11, 23)}</time></td><td>${m.service}</td><th scope="row">${m.type}</th><td>${wait}</td><td><small>${m.eventId.slice(0, 8)}${m.causationId ? ` ← ${m.causationId.slice(0, 8)}` : ''}</small></td></tr>`;
  });
  return html`<h2>Messages</h2><table><caption>What each service published about this order: its events, the saga's commands and the replies, in the order they were written</caption>
<thead><tr><th scope="col">Written</th><th scope="col">By</th><th scope="col">Type</th><th scope="col">Published after</th><th scope="col">Id ← caused by</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}
