import type { Queryable, Static } from '@platform/chassis';
import type * as api from './api.ts';
import { STAGES, type Stage } from './domain/contribution.ts';
import { averageSeconds, conversionOf, funnelCounts } from './domain/funnel.ts';
import { projectionLagSeconds } from './metrics.ts';

// The read side: each view as the API returns it, straight from its table.

type Paged<T> = { items: T[]; total: number };
type DailySales = Static<typeof api.DailySales>;
type CategorySales = Static<typeof api.CategorySales>;
type ProductSales = Static<typeof api.ProductSales>;

/** `WHERE` conditions and their parameters, numbered in order. */
function conditions(pairs: Array<[string, unknown]>): { where: string; params: unknown[] } {
  const present = pairs.filter(([, value]) => value !== undefined);
  const where = present.map(([sql], i) => sql.replace('?', `$${i + 1}`)).join(' AND ');
  return { where: where ? `WHERE ${where}` : '', params: present.map(([, value]) => value) };
}

async function paged<T>(
  db: Queryable,
  sql: { select: string; from: string; order: string },
  filter: { where: string; params: unknown[] },
  page: { page: number; limit: number },
): Promise<Paged<T>> {
  const n = filter.params.length;
  const [rows, count] = await Promise.all([
    db.query(
      `SELECT ${sql.select} FROM ${sql.from} ${filter.where} ORDER BY ${sql.order} LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...filter.params, page.limit, (page.page - 1) * page.limit],
    ),
    db.query<{ total: number }>(`SELECT count(*) AS total FROM ${sql.from} ${filter.where}`, filter.params),
  ]);
  return { items: rows.rows as T[], total: count.rows[0]?.total ?? 0 };
}

/** Every view's reads. */
export function createViews(db: Queryable) {
  return { ...listViews(db), ...figureViews(db) };
}

function listViews(db: Queryable) {
  return {
    dailySales(query: Static<typeof api.DailySalesQuery>): Promise<Paged<DailySales>> {
      return paged<DailySales>(
        db,
        {
          select: `to_char(day, 'YYYY-MM-DD') AS day, currency, orders, units, gross, refunded,
                   gross - refunded AS net`,
          from: 'daily_sales',
          order: 'daily_sales.day DESC, currency',
        },
        conditions([
          ['day >= ?', query.from],
          ['day <= ?', query.to],
          ['currency = ?', query.currency],
        ]),
        query,
      );
    },

    categorySales(query: Static<typeof api.CategorySalesQuery>): Promise<Paged<CategorySales>> {
      return paged<CategorySales>(
        db,
        {
          select: 'category, currency, orders, units, revenue',
          from: 'category_sales',
          order: 'revenue DESC, category, currency',
        },
        conditions([['currency = ?', query.currency]]),
        query,
      );
    },

    topProducts(query: Static<typeof api.TopProductsQuery>): Promise<Paged<ProductSales>> {
      const metric = query.by === 'revenue' ? 'revenue' : 'units';
      return paged<ProductSales>(
        db,
        {
          select: `p.product_id AS "productId", coalesce(n.sku, '') AS sku, coalesce(n.name, '') AS name,
                   p.currency, p.orders, p.units, p.revenue`,
          from: 'product_sales p LEFT JOIN product_names n USING (product_id)',
          order: `p.${metric} DESC, p.product_id, p.currency`,
        },
        conditions([['p.currency = ?', query.currency]]),
        query,
      );
    },
  };
}

function figureViews(db: Queryable) {
  return {
    async funnel(): Promise<Static<typeof api.Funnel>> {
      const { rows } = await db.query<{ stage: Stage; orders: number }>(
        'SELECT stage, orders FROM funnel_counts',
      );
      const counts = funnelCounts(rows.filter((row) => STAGES.includes(row.stage)));
      return { ...counts, conversion: conversionOf(counts) };
    },

    async deliveryTime(): Promise<Static<typeof api.DeliveryTime>> {
      const { rows } = await db.query<{ orders: number; total_ms: number }>(
        'SELECT orders, total_ms FROM delivery_times',
      );
      const orders = rows[0]?.orders ?? 0;
      return { orders, averageSeconds: averageSeconds(orders, rows[0]?.total_ms ?? 0) };
    },

    async revenue(query: Static<typeof api.RevenueQuery>): Promise<Static<typeof api.RevenueList>> {
      const filter = conditions([['currency = ?', query.currency]]);
      const { rows } = await db.query<Static<typeof api.Revenue>>(
        `SELECT currency, sum(orders)::bigint AS orders, sum(gross)::bigint AS gross,
                sum(refunded)::bigint AS refunded, (sum(gross) - sum(refunded))::bigint AS net
         FROM daily_sales ${filter.where} GROUP BY currency ORDER BY currency`,
        filter.params,
      );
      return { data: rows };
    },

    async status(): Promise<Static<typeof api.ProjectionStatus>> {
      const [applied, rebuild, lagSeconds] = await Promise.all([
        db.query<{ events: number; last: Date | null }>(
          'SELECT count(*) AS events, max(event_time) AS last FROM applied_events',
        ),
        db.query<{ started_at: Date; finished_at: Date; events: number; orders: number }>(
          'SELECT started_at, finished_at, events, orders FROM rebuilds ORDER BY id DESC LIMIT 1',
        ),
        projectionLagSeconds(db),
      ]);
      const last = rebuild.rows[0];
      return {
        eventsApplied: applied.rows[0]?.events ?? 0,
        lastEventAt: applied.rows[0]?.last?.toISOString() ?? null,
        lagSeconds,
        lastRebuild: last
          ? {
              startedAt: last.started_at.toISOString(),
              finishedAt: last.finished_at.toISOString(),
              events: last.events,
              orders: last.orders,
            }
          : null,
      };
    },
  };
}

export type Views = ReturnType<typeof createViews>;
