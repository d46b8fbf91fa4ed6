import type { Queryable } from '@platform/chassis';
import type { Contribution } from './domain/contribution.ts';
import { emptyFacts, type FactLine, type OrderFacts } from './domain/order-facts.ts';

// The projection's writes: locks, the applied-events record, order facts, and the
// views changed by what an event added.

// Live handlers take this lock shared, a rebuild exclusive: while the read models are
// emptied and replayed, live events wait, and then find their ids already applied.
const PROJECTION_LOCK = "hashtext('analytics-projection')";
// Held by the one rebuild running; a second is refused rather than queued.
const REBUILD_LOCK = "hashtext('analytics-rebuild')";

export async function lockProjectionShared(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock_shared(${PROJECTION_LOCK})`);
}

export async function lockProjectionExclusive(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(${PROJECTION_LOCK})`);
}

/** False if another rebuild holds the lock. */
export async function tryLockRebuild(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_xact_lock(${REBUILD_LOCK}) AS locked`,
  );
  return rows[0]?.locked === true;
}

/** Records the event as applied; false if it already was (a redelivery, or replayed by a rebuild). */
export async function markApplied(
  db: Queryable,
  event: { id: string; type: string; time: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO applied_events (event_id, type, event_time) VALUES ($1, $2, $3)
     ON CONFLICT (event_id) DO NOTHING`,
    [event.id, event.type, event.time],
  );
  return rowCount === 1;
}

interface FactsRow {
  placed_at: Date | null;
  currency: string | null;
  total: number | null;
  lines: FactLine[] | null;
  confirmed_at: Date | null;
  rejected_at: Date | null;
  cancelled_at: Date | null;
  delivered_at: Date | null;
  refunded: number;
}

const iso = (at: Date | null) => (at ? at.toISOString() : null);

/**
 * The order's facts, its row locked until the transaction ends (created empty if new),
 * in one statement: an upsert locks and returns the row as it is now, even one another
 * transaction has just created (a plain SELECT in the same statement could not see it).
 */
export async function loadFactsForUpdate(db: Queryable, orderId: string): Promise<OrderFacts> {
  const { rows } = await db.query<FactsRow>(
    `INSERT INTO order_facts (order_id) VALUES ($1)
     ON CONFLICT (order_id) DO UPDATE SET order_id = excluded.order_id
     RETURNING *`,
    [orderId],
  );
  const row = rows[0];
  if (!row) return emptyFacts(orderId);
  return {
    ...emptyFacts(orderId),
    placedAt: iso(row.placed_at),
    currency: row.currency,
    total: row.total,
    lines: row.lines,
    confirmedAt: iso(row.confirmed_at),
    rejectedAt: iso(row.rejected_at),
    cancelledAt: iso(row.cancelled_at),
    deliveredAt: iso(row.delivered_at),
    refunded: row.refunded,
  };
}

export async function saveFacts(db: Queryable, facts: OrderFacts): Promise<void> {
  await db.query(
    `UPDATE order_facts SET placed_at = $2, currency = $3, total = $4, lines = $5, confirmed_at = $6,
       rejected_at = $7, cancelled_at = $8, delivered_at = $9, refunded = $10
     WHERE order_id = $1`,
    [
      facts.orderId,
      facts.placedAt,
      facts.currency,
      facts.total,
      facts.lines === null ? null : JSON.stringify(facts.lines),
      facts.confirmedAt,
      facts.rejectedAt,
      facts.cancelledAt,
      facts.deliveredAt,
      facts.refunded,
    ],
  );
}

/** A view's table: its key and summed columns, by the field names of its rows. */
interface ViewTable {
  table: string;
  keys: Record<string, string>;
  sums: Record<string, string>;
  /** Rows no order contributes to any more are deleted (the single delivery row stays). */
  prune: boolean;
}

const VIEW_TABLES: Record<keyof Contribution, ViewTable> = {
  funnel: { table: 'funnel_counts', keys: { stage: 'stage' }, sums: { orders: 'orders' }, prune: false },
  daily: {
    table: 'daily_sales',
    keys: { day: 'day', currency: 'currency' },
    sums: { orders: 'orders', units: 'units', gross: 'gross', refunded: 'refunded' },
    prune: true,
  },
  categories: {
    table: 'category_sales',
    keys: { category: 'category', currency: 'currency' },
    sums: { orders: 'orders', units: 'units', revenue: 'revenue' },
    prune: true,
  },
  products: {
    table: 'product_sales',
    keys: { productId: 'product_id', currency: 'currency' },
    sums: { orders: 'orders', units: 'units', revenue: 'revenue' },
    prune: true,
  },
  delivery: {
    table: 'delivery_times',
    keys: {},
    sums: { orders: 'orders', totalMs: 'total_ms' },
    prune: false,
  },
};
// Views in this order, always: concurrent events lock rows in one order and never deadlock.
const VIEW_ORDER: Array<keyof Contribution> = ['funnel', 'daily', 'categories', 'products', 'delivery'];

/** Adds one row's values to its table (an upsert summing), pruning it if no order is left in it. */
async function addRow(db: Queryable, spec: ViewTable, row: Record<string, unknown>): Promise<void> {
  const keyColumns = Object.values(spec.keys);
  const sumColumns = Object.values(spec.sums);
  const params = [...Object.keys(spec.keys), ...Object.keys(spec.sums)].map((field) => row[field]);
  const columns = [...keyColumns, ...sumColumns];
  const placeholders = columns.map((_, i) => `$${i + 1}`);
  const conflict = keyColumns.length ? `(${keyColumns.join(', ')})` : '(id)';
  await db.query(
    `INSERT INTO ${spec.table} AS v (${columns.join(', ')}) VALUES (${placeholders.join(', ')})
     ON CONFLICT ${conflict} DO UPDATE SET ${sumColumns.map((c) => `${c} = v.${c} + excluded.${c}`).join(', ')}`,
    params,
  );
  if (!spec.prune) return;
  const where = keyColumns.map((column, i) => `${column} = $${i + 1}`).join(' AND ');
  await db.query(
    `DELETE FROM ${spec.table} WHERE ${where} AND orders = 0`,
    params.slice(0, keyColumns.length),
  );
}

/**
 * Adds `change` to the views, table by table in a fixed order and rows sorted by
 * key (as `changeBetween` gives them).
 */
export async function addToViews(db: Queryable, change: Contribution): Promise<void> {
  for (const view of VIEW_ORDER) {
    for (const row of change[view]) await addRow(db, VIEW_TABLES[view], { ...row });
  }
}

/** Keeps each product's sku and name as of its most recently placed order. */
export async function recordProductNames(db: Queryable, lines: FactLine[], placedAt: string): Promise<void> {
  const sorted = [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  for (const line of sorted) {
    await db.query(
      `INSERT INTO product_names AS n (product_id, sku, name, placed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (product_id) DO UPDATE SET sku = excluded.sku, name = excluded.name, placed_at = excluded.placed_at
       WHERE excluded.placed_at > n.placed_at`,
      [line.productId, line.sku, line.name, placedAt],
    );
  }
}

/** Empties every read model and the applied-events record (a rebuild, under the exclusive lock). */
export async function clearReadModels(db: Queryable): Promise<void> {
  // DELETE rather than TRUNCATE: readers keep seeing the old views until the rebuild commits.
  for (const table of [
    'applied_events',
    'order_facts',
    'funnel_counts',
    'daily_sales',
    'category_sales',
    'product_sales',
    'product_names',
    'delivery_times',
  ]) {
    await db.query(`DELETE FROM ${table}`);
  }
}
