import type { OrderFacts } from './order-facts.ts';

// What one order adds to each view, and what an event changed in it. Pure.
//
// Every view is the sum of all orders' contributions. Applying an event rewrites its
// order's facts; the view then changes by (contribution after) - (contribution
// before), so no view needs to know in which order the events came.

export const STAGES = ['created', 'confirmed', 'rejected', 'cancelled', 'delivered'] as const;
export type Stage = (typeof STAGES)[number];

export interface FunnelRow {
  stage: Stage;
  orders: number;
}
export interface DailyRow {
  /** UTC date the order was placed, YYYY-MM-DD. */
  day: string;
  currency: string;
  orders: number;
  units: number;
  gross: number;
  refunded: number;
}
export interface CategoryRow {
  category: string;
  currency: string;
  orders: number;
  units: number;
  revenue: number;
}
export interface ProductRow {
  productId: string;
  currency: string;
  orders: number;
  units: number;
  revenue: number;
}
export interface DeliveryRow {
  orders: number;
  totalMs: number;
}

export interface Contribution {
  funnel: FunnelRow[];
  daily: DailyRow[];
  categories: CategoryRow[];
  products: ProductRow[];
  delivery: DeliveryRow[];
}

/** Whether the order counts as a sale: known (placed, with its lines) and confirmed. */
function isSale(facts: OrderFacts): facts is OrderFacts & {
  placedAt: string;
  confirmedAt: string;
  currency: string;
  total: number;
  lines: NonNullable<OrderFacts['lines']>;
} {
  return (
    facts.placedAt !== null &&
    facts.confirmedAt !== null &&
    facts.currency !== null &&
    facts.total !== null &&
    facts.lines !== null
  );
}

function funnelOf(facts: OrderFacts): FunnelRow[] {
  const reached: Record<Stage, boolean> = {
    created: facts.placedAt !== null,
    confirmed: facts.confirmedAt !== null,
    rejected: facts.rejectedAt !== null,
    cancelled: facts.cancelledAt !== null,
    delivered: facts.deliveredAt !== null,
  };
  return STAGES.filter((stage) => reached[stage]).map((stage) => ({ stage, orders: 1 }));
}

/** Sums of `rows` by `keyOf`: an order with a product on two lines counts it once. */
function grouped<R extends { orders: number }>(
  rows: R[],
  keyOf: (row: R) => string,
  add: (into: R, row: R) => void,
): R[] {
  const byKey = new Map<string, R>();
  for (const row of rows) {
    const found = byKey.get(keyOf(row));
    if (found) add(found, row);
    else byKey.set(keyOf(row), { ...row });
  }
  return [...byKey.values()];
}

/** What `facts` adds to every view. */
export function contributionOf(facts: OrderFacts): Contribution {
  const none = { daily: [], categories: [], products: [] };
  const delivery =
    facts.placedAt !== null && facts.deliveredAt !== null
      ? [{ orders: 1, totalMs: Math.max(0, Date.parse(facts.deliveredAt) - Date.parse(facts.placedAt)) }]
      : [];
  if (!isSale(facts)) return { funnel: funnelOf(facts), ...none, delivery };
  const { currency, lines } = facts;
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  const perLine = lines.map((line) => ({
    productId: line.productId,
    category: line.category,
    currency,
    orders: 1,
    units: line.quantity,
    revenue: line.quantity * line.unitAmount,
  }));
  const addUp = (into: { units: number; revenue: number }, row: { units: number; revenue: number }) => {
    into.units += row.units;
    into.revenue += row.revenue;
  };
  return {
    funnel: funnelOf(facts),
    daily: [
      {
        day: facts.placedAt.slice(0, 10),
        currency,
        orders: 1,
        units,
        gross: facts.total,
        refunded: Math.min(facts.refunded, facts.total),
      },
    ],
    categories: grouped(
      perLine.map(({ category, orders, units: u, revenue }) => ({
        category,
        currency,
        orders,
        units: u,
        revenue,
      })),
      (row) => row.category,
      addUp,
    ),
    products: grouped(
      perLine.map(({ productId, orders, units: u, revenue }) => ({
        productId,
        currency,
        orders,
        units: u,
        revenue,
      })),
      (row) => row.productId,
      addUp,
    ),
    delivery,
  };
}

type Numeric<R> = { [K in keyof R]: R[K] extends number ? K : never }[keyof R];

/**
 * `after - before` for one view's rows, matched by key; rows that did not change are
 * left out, and the rest sorted by key (so concurrent writers lock rows in one order).
 */
export function rowChange<R extends object>(
  before: R[],
  after: R[],
  keyOf: (row: R) => string,
  values: Array<Numeric<R>>,
): R[] {
  const byKey = new Map<string, R>();
  const merge = (row: R, sign: 1 | -1) => {
    const key = keyOf(row);
    const current = byKey.get(key) ?? ({ ...row, ...Object.fromEntries(values.map((v) => [v, 0])) } as R);
    const sums = current as Record<Numeric<R>, number>;
    const adding = row as Record<Numeric<R>, number>;
    for (const value of values) sums[value] += sign * adding[value];
    byKey.set(key, current);
  };
  for (const row of before) merge(row, -1);
  for (const row of after) merge(row, 1);
  return [...byKey.entries()]
    .filter(([, row]) => values.some((value) => (row as Record<Numeric<R>, number>)[value] !== 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
}

/** What changed in every view when an order's contribution went from `before` to `after`. */
export function changeBetween(before: Contribution, after: Contribution): Contribution {
  return {
    funnel: rowChange(before.funnel, after.funnel, (row) => row.stage, ['orders']),
    daily: rowChange(before.daily, after.daily, (row) => `${row.day}|${row.currency}`, [
      'orders',
      'units',
      'gross',
      'refunded',
    ]),
    categories: rowChange(before.categories, after.categories, (row) => `${row.category}|${row.currency}`, [
      'orders',
      'units',
      'revenue',
    ]),
    products: rowChange(before.products, after.products, (row) => `${row.productId}|${row.currency}`, [
      'orders',
      'units',
      'revenue',
    ]),
    delivery: rowChange(before.delivery, after.delivery, () => 'all', ['orders', 'totalMs']),
  };
}
