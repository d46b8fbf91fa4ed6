import { type Discovery, openDataService, type Service, type Static, serve } from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import type { AnalyticsConfig } from './config.ts';
import { subscribeProjection } from './handlers.ts';
import { registerAnalyticsRoutes } from './http.ts';
import { registerProjectionMetrics } from './metrics.ts';
import { createViews } from './queries.ts';
import { rebuildReadModels } from './rebuild.ts';

export interface AnalyticsDeps {
  discovery?: Discovery;
}

/** Builds and starts analytics: database migrated, projection subscribed, admin routes listening. */
export async function startAnalytics(
  config: Static<typeof AnalyticsConfig>,
  deps: AnalyticsDeps = {},
): Promise<Service> {
  const { service, pool, bus } = await openDataService(config, {
    name: 'analytics',
    description: 'Read models built from events (CQRS): sales, top products, funnel, delivery times',
    migrations: new URL('../migrations/', import.meta.url),
    schemas: eventSchemas,
  });
  const metrics = registerProjectionMetrics(service.metrics, pool);
  await subscribeProjection(bus, metrics);
  registerAnalyticsRoutes(service.app, createViews(pool), () =>
    rebuildReadModels({ pool, bus, metrics, log: service.log }),
  );
  await serve(service, config, { discovery: deps.discovery });
  return service;
}
