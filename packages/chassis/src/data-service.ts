import type { Static } from 'typebox';
import Type from 'typebox';
import { jwtVerifier } from './auth.ts';
import { authConfig, baseConfig, busConfig, databaseConfig, serviceOptionsFrom } from './config.ts';
import { openDatabase, type Pool } from './db.ts';
import { announce, createDiscovery, discoveryConfig } from './discovery/config.ts';
import type { Discovery } from './discovery/types.ts';
import { type Bus, openBus } from './messaging/bus.ts';
import { driverFromConfig } from './messaging/driver-config.ts';
import type { Schemas } from './messaging/transactions.ts';
import { createService, type Service } from './service.ts';

const DataServiceSettings = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
});
/** The settings every service with its own database and the bus has (a service's config extends them). */
export type DataServiceSettings = Static<typeof DataServiceSettings>;

/**
 * The common start of a service that owns a database and uses the bus: the service
 * with token verification, its database migrated, its side of the bus open. The
 * caller adds its routes and handlers, then calls `serve`.
 */
export async function openDataService<S extends Schemas>(
  config: DataServiceSettings,
  /**
   * `migrations`: the service's own, applied before the bus opens (leave out to apply
   * them later). `genericPlans`: see `createPool`.
   */
  options: { name: string; description: string; migrations?: URL; schemas: S; genericPlans?: boolean },
): Promise<{ service: Service; pool: Pool; bus: Bus<S> }> {
  const service = await createService({
    name: options.name,
    description: options.description,
    ...serviceOptionsFrom(config),
    auth: jwtVerifier({
      issuer: config.TOKEN_ISSUER,
      audience: config.TOKEN_AUDIENCE,
      jwksUrl: config.IDENTITY_JWKS_URL,
      refreshMs: config.JWKS_REFRESH_MS,
    }),
  });
  const pool = await openDatabase(service, {
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(options.genericPlans ? { genericPlans: true } : {}),
  });
  const bus = await openBus(service, {
    pool,
    databaseUrl: config.DATABASE_URL,
    driver: driverFromConfig(config, service),
    schemas: options.schemas,
    retry: { maxAttempts: config.BUS_MAX_ATTEMPTS },
  });
  return { service, pool, bus };
}

/** Listens, then announces the instance through `discovery` (the configured one by default). */
export async function serve(
  service: Service,
  config: Pick<DataServiceSettings, 'HOST' | 'PORT' | 'SERVICE_VERSION' | 'ZONE'> &
    Parameters<typeof createDiscovery>[0],
  options: { discovery?: Discovery | undefined; metadata?: Record<string, string> } = {},
): Promise<string> {
  const url = await service.listen({ host: config.HOST, port: config.PORT });
  const discovery = options.discovery ?? createDiscovery(config, { log: service.log });
  await announce(service, discovery, {
    url,
    version: config.SERVICE_VERSION,
    zone: config.ZONE,
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
  return url;
}
