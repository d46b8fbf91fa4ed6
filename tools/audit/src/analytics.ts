// Analytics' read models against the books they are built from: revenue against the
// payments, the order funnel against the orders. Pure, like the other invariants.
import type { Books } from './books.ts';
import { type Finding, finding } from './finding.ts';

/** Analytics' revenue agrees with the payments: what was captured and refunded, per currency. */
export function analyticsAgree(books: Books): Finding {
  const offences: string[] = [];
  const currencies = new Set([
    ...books.revenue.map((r) => r.currency),
    ...books.payments.filter((p) => p.captured > 0).map((p) => p.currency),
  ]);
  for (const currency of currencies) {
    const paid = books.payments.filter((p) => p.currency === currency && p.captured > 0);
    const seen = books.revenue.find((r) => r.currency === currency) ?? { orders: 0, gross: 0, refunded: 0 };
    const expected = {
      orders: paid.length,
      gross: paid.reduce((sum, p) => sum + p.captured, 0),
      refunded: paid.reduce((sum, p) => sum + p.refunded, 0),
    };
    for (const key of ['orders', 'gross', 'refunded'] as const)
      if (seen[key] !== expected[key])
        offences.push(`${currency} ${key}: analytics ${seen[key]}, payments ${expected[key]}`);
  }
  return finding('analytics revenue = captured and refunded payments, per currency', offences, {
    currencies: currencies.size,
    'analytics gross': books.revenue.reduce((sum, r) => sum + r.gross, 0),
  });
}

/**
 * Analytics' funnel counts each order once at each stage it reached: created (every
 * order), confirmed (ever, so one cancelled after it counts too), rejected, cancelled
 * and delivered (as the orders are now).
 */
export function funnelAgrees(books: Books): Finding {
  const count = (check: (status: string, confirmed: boolean) => boolean) =>
    books.orders.filter((order) => check(order.status, order.confirmed)).length;
  const expected = {
    created: books.orders.length,
    confirmed: count((_, confirmed) => confirmed),
    rejected: count((status) => status === 'REJECTED'),
    cancelled: count((status) => status === 'CANCELLED'),
    delivered: count((status) => status === 'DELIVERED'),
  };
  const offences = (Object.keys(expected) as Array<keyof typeof expected>)
    .filter((stage) => books.funnel[stage] !== expected[stage])
    .map((stage) => `${stage}: analytics ${books.funnel[stage]}, orders ${expected[stage]}`);
  return finding(
    'analytics counts = the orders per stage (created, confirmed, rejected, cancelled, delivered)',
    offences,
    {
      ...expected,
    },
  );
}
