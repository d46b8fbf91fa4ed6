import type { Queryable } from '@platform/chassis';
import type { ProductName } from './domain/batch.ts';
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

/** Records the events as applied; the ids it recorded (not those already applied, by a redelivery or a rebuild). */
export async function markApplied(
  db: Queryable,
  events: Array<{ id: string; type: string; time: string }>,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { rows } = await db.query<{ event_id: string }>(
    `INSERT INTO applied_events (event_id, type, event_time)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.time)],
  );
  return new Set(rows.map((row) => row.event_id));
}

interface FactsRow {
  order_id: string;
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

function toFacts(row: FactsRow): OrderFacts {
  return {
    ...emptyFacts(row.order_id),
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

/**
 * The orders' facts, by order, their rows locked until the transaction ends (created
 * empty if new), in one statement and in id order (so two batches lock shared orders
 * in one order): an upsert locks and returns each row as it is now, even one another
 * transaction has just created (a plain SELECT in the same statement could not see it).
 */
export async function loadFactsForUpdate(
  db: Queryable,
  orderIds: string[],
): Promise<Map<string, OrderFacts>> {
  const { rows } = await db.query<FactsRow>(
    `INSERT INTO order_facts (order_id) SELECT unnest($1::uuid[])
     ON CONFLICT (order_id) DO UPDATE SET order_id = excluded.order_id
     RETURNING *`,
    [[...orderIds].sort()],
  );
  return new Map(rows.map((row) => [row.order_id, toFacts(row)]));
}

/** Writes the orders' facts (rows the caller has locked), in one statement. */
export async function saveFacts(db: Queryable, facts: OrderFacts[]): Promise<void> {
  if (facts.length === 0) return;
  const rows = facts.map((f) => ({
    order_id: f.orderId,
    placed_at: f.placedAt,
    currency: f.currency,
    total: f.total,
    lines: f.lines,
    confirmed_at: f.confirmedAt,
    rejected_at: f.rejectedAt,
    cancelled_at: f.cancelledAt,
    delivered_at: f.deliveredAt,
    refunded: f.refunded,
  }));
  await db.query(
    `UPDATE order_facts f SET placed_at = r.placed_at, currency = r.currency, total = r.total, lines = r.lines,
       confirmed_at = r.confirmed_at, rejected_at = r.rejected_at, cancelled_at = r.cancelled_at,
       delivered_at = r.delivered_at, refunded = r.refunded
     FROM jsonb_to_recordset($1::jsonb) AS r(order_id uuid, placed_at timestamptz, currency text, total bigint,
       lines jsonb, confirmed_at timestamptz, rejected_at timestamptz, cancelled_at timestamptz,
       delivered_at timestamptz, refunded bigint)
     WHERE f.order_id = r.order_id`,
    [JSON.stringify(rows)],
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

/** `($1, $2), ($3, $4)`: `count` rows of `width` placeholders. */
function valuesList(count: number, width: number): string {
  return Array.from(
    { length: count },
    (_, row) => `(${Array.from({ length: width }, (_, i) => `$${row * width + i + 1}`).join(', ')})`,
  ).join(', ');
}

/**
 * Adds rows' values to their table in one upsert summing (rows sorted by key, one per
 * key), then deletes those no order is left in: only rows that lost orders can.
 */
async function addRows(db: Queryable, spec: ViewTable, rows: Array<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  const keyFields = Object.keys(spec.keys);
  const keyColumns = Object.values(spec.keys);
  const sumColumns = Object.values(spec.sums);
  const fields = [...keyFields, ...Object.keys(spec.sums)];
  const columns = [...keyColumns, ...sumColumns];
  const conflict = keyColumns.length ? `(${keyColumns.join(', ')})` : '(id)';
  await db.query(
    `INSERT INTO ${spec.table} AS v (${columns.join(', ')}) VALUES ${valuesList(rows.length, columns.length)}
     ON CONFLICT ${conflict} DO UPDATE SET ${sumColumns.map((c) => `${c} = v.${c} + excluded.${c}`).join(', ')}`,
    rows.flatMap((row) => fields.map((field) => row[field])),
  );
  const emptied = rows.filter((row) => Number(row.orders) < 0);
  if (!spec.prune || emptied.length === 0) return;
  await db.query(
    `DELETE FROM ${spec.table} WHERE (${keyColumns.join(', ')}) IN (${valuesList(emptied.length, keyColumns.length)})
       AND orders = 0`,
    emptied.flatMap((row) => keyFields.map((field) => row[field])),
  );
}

/**
 * Adds `change` to the views, table by table in a fixed order and rows sorted by
 * key (as `changeBetween` gives them): one or two statements a table.
 */
export async function addToViews(db: Queryable, change: Contribution): Promise<void> {
  for (const view of VIEW_ORDER) {
    await addRows(
      db,
      VIEW_TABLES[view],
      change[view].map((row) => ({ ...row })),
    );
  }
}

/** Keeps each product's sku and name as of its most recently placed order (one row a product). */
export async function recordProductNames(db: Queryable, names: ProductName[]): Promise<void> {
  if (names.length === 0) return;
  await db.query(
    `INSERT INTO product_names AS n (product_id, sku, name, placed_at) VALUES ${valuesList(names.length, 4)}
     ON CONFLICT (product_id) DO UPDATE SET sku = excluded.sku, name = excluded.name, placed_at = excluded.placed_at
     WHERE excluded.placed_at > n.placed_at`,
    names.flatMap((n) => [n.productId, n.sku, n.name, n.placedAt]),
  );
}

/** The read models' tables: every one is derived from the events. */
export const READ_MODELS = [
  'order_facts',
  'funnel_counts',
  'daily_sales',
  'category_sales',
  'product_sales',
  'product_names',
  'delivery_times',
] as const;

/** Empties every read model and the applied-events record (a rebuild, under the exclusive lock). */
export async function clearReadModels(db: Queryable): Promise<void> {
  // DELETE rather than TRUNCATE: readers keep seeing the old views until the rebuild commits.
  for (const table of ['applied_events', ...READ_MODELS]) await db.query(`DELETE FROM ${table}`);
}
