import {
  announce,
  connectPeers,
  createDiscovery,
  createService,
  type Discovery,
  driverFromConfig,
  jwtVerifier,
  openBus,
  openDatabase,
  type Service,
  type Static,
  serviceOptionsFrom,
  serviceTokensFrom,
  type TokenSource,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import type { InventoryConfig } from './config.ts';
import { startExpirySweeper } from './expiry.ts';
import { answerCommands, followCatalog, reactToFacts } from './handlers.ts';
import { registerInventoryRoutes } from './http.ts';
import { stockOperations } from './operations.ts';
import { seedFromCatalog } from './seed.ts';

/**
 * Builds and starts inventory: database migrated, routes listening, the saga's
 * messages (commands or facts, by SAGA_MODE) and the catalog's events handled,
 * lapsed reservations expired, and stock seeded from the catalog in the background.
 */
export async function startInventory(
  config: Static<typeof InventoryConfig>,
  deps: { discovery?: Discovery; tokens?: TokenSource } = {},
): Promise<Service> {
  const service = await createService({
    name: 'inventory',
    description: 'Stock per product and reservations per order',
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
  const bus = await openBus(service, {
    pool,
    databaseUrl: config.DATABASE_URL,
    driver: driverFromConfig(config, service),
    schemas: eventSchemas,
    retry: { maxAttempts: config.BUS_MAX_ATTEMPTS },
  });
  const operations = stockOperations({
    lowStockThreshold: config.INVENTORY_LOW_STOCK_THRESHOLD,
    log: service.log,
  });
  registerInventoryRoutes(service.app, { pool, bus, operations });

  await followCatalog(bus, {
    onHandForNewProducts: config.INVENTORY_SEED ? config.INVENTORY_SEED_ON_HAND : 0,
    log: service.log,
  });
  if (config.SAGA_MODE === 'choreography') {
    await reactToFacts(bus, operations, { reservationTtlMs: config.INVENTORY_RESERVATION_TTL_MS });
  } else {
    await answerCommands(bus, operations);
  }
  startExpirySweeper(service, bus, operations, config.INVENTORY_SWEEP_INTERVAL_MS);

  const discovery = deps.discovery ?? createDiscovery(config, { log: service.log });
  if (config.INVENTORY_SEED) {
    const tokens = deps.tokens ?? serviceTokensFrom(config);
    const peers = connectPeers(service, config, ['catalog'], { discovery, tokens });
    seedFromCatalog(service, peers, pool, {
      onHand: config.INVENTORY_SEED_ON_HAND,
      retryMs: config.INVENTORY_SEED_RETRY_MS,
      anonymous: tokens === undefined,
    });
  }

  const url = await service.listen({ host: config.HOST, port: config.PORT });
  await announce(service, discovery, { url, version: config.SERVICE_VERSION, zone: config.ZONE });
  return service;
}
