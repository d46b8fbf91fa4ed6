import { openDataService, type Service, type Static, serve } from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import type { CatalogConfig } from './config.ts';
import { registerCatalogRoutes } from './http.ts';
import { registerCatalogAdminRoutes } from './http-admin.ts';
import { seedCatalog } from './seed/seed.ts';
import { createCatalogStore } from './store.ts';

/** Builds and starts the catalog: its database migrated (and seeded), its routes listening. */
export async function startCatalog(config: Static<typeof CatalogConfig>): Promise<Service> {
  // Admin writes publish catalog.product.* through this bus's outbox.
  const { service, pool, bus } = await openDataService(config, {
    name: 'catalog',
    description: 'Products, categories and prices',
    migrations: new URL('../migrations/', import.meta.url),
    schemas: eventSchemas,
    // Its one prepared statement takes a list of ids: a plan made once serves every list.
    genericPlans: true,
  });
  if (config.CATALOG_SEED) {
    const { inserted } = await seedCatalog(pool);
    if (inserted > 0) service.log.info({ inserted }, 'demo catalog loaded');
  }
  registerCatalogRoutes(service.app, createCatalogStore(pool));
  registerCatalogAdminRoutes(service.app, bus);
  await serve(service, config);
  return service;
}
