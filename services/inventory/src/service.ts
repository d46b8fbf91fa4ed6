import {
  connectPeers,
  createDiscovery,
  type Discovery,
  openDataService,
  type Service,
  type Static,
  serve,
  serviceTokensFrom,
  type TokenSource,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import { registerStockAudit } from './audit.ts';
import type { InventoryConfig } from './config.ts';
import { startExpirySweeper } from './expiry.ts';
import { answerCommands, followCatalog, reactToFacts } from './handlers.ts';
import { registerInventoryRoutes } from './http.ts';
import { stockOperations } from './operations.ts';
import { PEERS } from './peers.ts';
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
  const { service, pool, bus } = await openDataService(config, {
    name: 'inventory',
    description: 'Stock per product and reservations per order',
    migrations: new URL('../migrations/', import.meta.url),
    schemas: eventSchemas,
    // Its prepared statements (the batch's lock with the waiting line, the change of
    // counts) take only lists of ids; their skewed value (WAITING) is written in the
    // text. Planned afresh each run they cost more to plan than to run.
    genericPlans: true,
  });
  const operations = stockOperations({
    lowStockThreshold: config.INVENTORY_LOW_STOCK_THRESHOLD,
    log: service.log,
  });
  registerInventoryRoutes(service.app, { pool, bus, operations });
  registerStockAudit(service.app, pool);

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
    const peers = connectPeers(service, config, PEERS, { discovery, tokens });
    seedFromCatalog(service, peers, pool, {
      onHand: config.INVENTORY_SEED_ON_HAND,
      retryMs: config.INVENTORY_SEED_RETRY_MS,
      anonymous: tokens === undefined,
    });
  }

  await serve(service, config, { discovery });
  return service;
}
