import {
  createService,
  driverFromConfig,
  openBus,
  openDatabase,
  type Service,
  type Static,
  serviceOptionsFrom,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import type { CatalogConfig } from './config.ts';
import { registerCatalogRoutes } from './http.ts';
import { seedCatalog } from './seed/seed.ts';
import { createCatalogStore } from './store.ts';

/** Builds and starts the catalog: its database migrated (and seeded), its routes listening. */
export async function startCatalog(config: Static<typeof CatalogConfig>): Promise<Service> {
  const service = await createService({
    name: 'catalog',
    description: 'Products, categories and prices',
    ...serviceOptionsFrom(config),
  });
  const pool = await openDatabase(service, {
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    migrations: new URL('../migrations/', import.meta.url),
  });
  // Catalog events (catalog.product.*) are published through this bus's outbox
  // once the admin write routes exist (identity issue); readiness includes it now.
  await openBus(service, {
    pool,
    databaseUrl: config.DATABASE_URL,
    driver: driverFromConfig(config, service),
    schemas: eventSchemas,
    retry: { maxAttempts: config.BUS_MAX_ATTEMPTS },
  });
  if (config.CATALOG_SEED) {
    const { inserted } = await seedCatalog(pool);
    if (inserted > 0) service.log.info({ inserted }, 'demo catalog loaded');
  }
  registerCatalogRoutes(service.app, createCatalogStore(pool));
  await service.listen({ host: config.HOST, port: config.PORT });
  return service;
}
