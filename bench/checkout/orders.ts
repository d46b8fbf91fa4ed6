// The shoppers' side of the checkout benchmark: placing an order through the gateway,
// waiting until orders settle (asking as a shopper would, once a second each, not once
// an order), and reading what the order service recorded of each: when it was placed
// and confirmed, from the order's own timeline, so the asking adds nothing to the times.
import { address, card, type Order, type Shop } from '../../test/e2e/shop.ts';

export type Placed = Array<{ id: string; token: string }>;

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}

function confirmedAt(order: Order): number | undefined {
  const entry = order.timeline.find((e) => e.step === 'order' && e.outcome === 'confirmed');
  return entry ? Date.parse(entry.at) : undefined;
}

/**
 * How many of `placed`, once settled (`allSettled` first), were confirmed, how fast, and
 * POST→CONFIRMED.
 */
export async function outcome(shop: Shop, placed: Placed) {
  // Eight at a time: the gateway's bulkhead (rightly) refuses a burst of hundreds.
  const settled: Order[] = [];
  for (let i = 0; i < placed.length; i += 8) {
    settled.push(
      ...(await Promise.all(placed.slice(i, i + 8).map(({ id, token }) => shop.order(token, id)))),
    );
  }
  const spans: number[] = [];
  const byOrder: Array<{ id: string; ms: number }> = [];
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const order of settled) {
    const created = Date.parse(order.createdAt);
    const confirmed = confirmedAt(order);
    if (confirmed === undefined) continue;
    spans.push(confirmed - created);
    byOrder.push({ id: order.id, ms: confirmed - created });
    first = Math.min(first, created);
    last = Math.max(last, confirmed);
  }
  spans.sort((a, b) => a - b);
  return {
    confirmed: spans.length,
    confirmedPerSecond: Math.round((spans.length / ((last - first) / 1000)) * 10) / 10,
    toConfirmedMs: {
      p50: percentile(spans, 50),
      p90: percentile(spans, 90),
      p99: percentile(spans, 99),
      max: percentile(spans, 100),
    },
    slowest: byOrder.sort((a, b) => b.ms - a.ms).slice(0, 3),
  };
}

const SETTLED = ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'];
/** Where the carrier is done with an order (or never had it). */
export const DONE = ['DELIVERED', 'REJECTED', 'CANCELLED'];

/**
 * Waits for every order to reach one of `statuses` (settled, by default), asking once a
 * second per shopper (not per order: that would be load).
 */
export async function allSettled(shop: Shop, placed: Placed, statuses = SETTLED): Promise<void> {
  const waiting = new Set(placed.map(({ id }) => id));
  const tokens = [...new Set(placed.map(({ token }) => token))];
  const deadline = Date.now() + 300_000;
  while (waiting.size > 0) {
    if (Date.now() > deadline) throw new Error(`${waiting.size} orders did not settle within 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const token of tokens) {
      for (let page = 1; ; page++) {
        const list = await shop.call<{
          data: Array<{ id: string; status: string }>;
          pagination: { totalPages: number };
        }>('GET', `/api/v1/orders?limit=100&page=${page}`, { token });
        for (const order of list.body.data) if (statuses.includes(order.status)) waiting.delete(order.id);
        if (page >= list.body.pagination.totalPages) break;
      }
    }
  }
}

export async function checkout(shop: Shop, token: string, productId: string): Promise<string> {
  const placed = await shop.place(token, {
    items: [{ productId, quantity: 1 }],
    shippingAddress: address(),
    payment: card(),
  });
  if (placed.status !== 202) throw new Error(`POST /orders: ${placed.status} ${JSON.stringify(placed.body)}`);
  return placed.body.id;
}
