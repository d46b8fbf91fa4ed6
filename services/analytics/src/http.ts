import { type App, pageInfo, pageLinks } from '@platform/chassis';
import * as api from './api.ts';
import { InvalidRange, RebuildInProgress } from './errors.ts';
import type { Views } from './queries.ts';
import type { RebuildReport } from './rebuild.ts';

const ADMIN = { access: 'admin' } as const;
const tags = ['analytics'];

/** A page of `items` with its figures and links, as every list of the platform answers. */
function pageOf<T>(
  path: string,
  query: Record<string, string | number | undefined>,
  found: { items: T[]; total: number },
) {
  const info = pageInfo(Number(query.page), Number(query.limit), found.total);
  return { data: found.items, pagination: info, _links: pageLinks(path, query, info) };
}

/** The admin API: every view, and the rebuild. */
export function registerAnalyticsRoutes(app: App, views: Views, rebuild: () => Promise<RebuildReport>): void {
  registerListRoutes(app, views);
  registerFigureRoutes(app, views);
  app.post(
    '/api/v1/analytics/rebuild',
    {
      config: { ...ADMIN, errors: [RebuildInProgress] },
      schema: {
        tags,
        summary: 'Drop the read models and replay the bus history into them (one transaction)',
        response: { 200: api.RebuildReport },
      },
    },
    () => rebuild(),
  );
}

/** The views that are lists: paginated, with links. */
function registerListRoutes(app: App, views: Views): void {
  app.get(
    '/api/v1/analytics/sales/daily',
    {
      config: { ...ADMIN, errors: [InvalidRange] },
      schema: {
        tags,
        summary: 'Confirmed sales per day the orders were placed (UTC) and currency, newest first',
        querystring: api.DailySalesQuery,
        response: { 200: api.DailySalesPage },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from && to && from > to) throw new InvalidRange(`from (${from}) is after to (${to})`);
      return pageOf('/api/v1/analytics/sales/daily', request.query, await views.dailySales(request.query));
    },
  );

  app.get(
    '/api/v1/analytics/sales/categories',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Confirmed sales per product category and currency (item revenue), largest first',
        querystring: api.CategorySalesQuery,
        response: { 200: api.CategorySalesPage },
      },
    },
    async (request) =>
      pageOf('/api/v1/analytics/sales/categories', request.query, await views.categorySales(request.query)),
  );

  app.get(
    '/api/v1/analytics/products/top',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Best-selling products by units or item revenue',
        querystring: api.TopProductsQuery,
        response: { 200: api.ProductSalesPage },
      },
    },
    async (request) =>
      pageOf('/api/v1/analytics/products/top', request.query, await views.topProducts(request.query)),
  );
}

/** The views that are a few figures. */
function registerFigureRoutes(app: App, views: Views): void {
  app.get(
    '/api/v1/analytics/funnel',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Orders created, confirmed, rejected, cancelled and delivered, with conversion rates',
        response: { 200: api.Funnel },
      },
    },
    () => views.funnel(),
  );

  app.get(
    '/api/v1/analytics/delivery-time',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Average time from placing an order to its delivery',
        response: { 200: api.DeliveryTime },
      },
    },
    () => views.deliveryTime(),
  );

  app.get(
    '/api/v1/analytics/revenue',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Revenue of confirmed orders per currency, gross and net of refunds',
        querystring: api.RevenueQuery,
        response: { 200: api.RevenueList },
      },
    },
    (request) => views.revenue(request.query),
  );

  app.get(
    '/api/v1/analytics/status',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'How far the projection has got: events applied, newest event, lag, last rebuild',
        response: { 200: api.ProjectionStatus },
      },
    },
    () => views.status(),
  );
}
