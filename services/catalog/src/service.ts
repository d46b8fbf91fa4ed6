import {
  announce,
  createDiscovery,
  createService,
  driverFromConfig,
  jwtVerifier,
  openBus,
  openDatabase,
  type Service,
  type Static,
  serviceOptionsFrom,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import type { CatalogConfig } from './config.ts';
import { registerCatalogRoutes } from './http.ts';
import { registerCatalogAdminRoutes } from './http-admin.ts';
import { seedCatalog } from './seed/seed.ts';
import { createCatalogStore } from './store.ts';

/** Builds and starts the catalog: its database migrated (and seeded), its routes listening. */
export async function startCatalog(config: Static<typeof CatalogConfig>): Promise<Service> {
  const service = await createService({
    name: 'catalog',
    description: 'Products, categories and prices',
    ...serviceOptionsFrom(config),
    auth: jwtVerifier({
      issuer: config.TOKEN_ISSUER,
      audience: config.TOKEN_AUDIENCE,
      jwksUrl: config.IDENTITY_JWKS_URL,
    }),
  });
  const pool = await openDatabase(service, {
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    migrations: new URL('../migrations/', import.meta.url),
  });
  // Admin writes publish catalog.product.* through this bus's outbox.
  const bus = await openBus(service, {
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
  registerCatalogAdminRoutes(service.app, bus);
  const url = await service.listen({ host: config.HOST, port: config.PORT });
  await announce(service, createDiscovery(config, { log: service.log }), {
    url,
    version: config.SERVICE_VERSION,
    zone: config.ZONE,
  });
  return service;
}
