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
  type TokenSource,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import type { OrderConfig } from './config.ts';
import { registerOrderRoutes } from './http.ts';
import { sagaRunner } from './saga-runner.ts';
import { trackShipments } from './tracking.ts';

/** Builds and starts the order service: event store, saga, routes. */
export async function startOrder(
  config: Static<typeof OrderConfig>,
  deps: { discovery?: Discovery; tokens?: TokenSource } = {},
): Promise<Service> {
  const service = await createService({
    name: 'order',
    description: 'Orders (event-sourced) and the checkout saga',
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
  const discovery = deps.discovery ?? createDiscovery(config, { log: service.log });
  const peers = connectPeers(service, config, ['cart', 'catalog', 'payment', 'shipping'] as const, {
    discovery,
    ...(deps.tokens ? { tokens: deps.tokens } : {}),
  });
  const saga = sagaRunner(bus, service.log, {
    stepTimeoutMs: config.SAGA_STEP_TIMEOUT_MS,
    reservationTtlMs: config.ORDER_RESERVATION_TTL_MS,
  });
  service.onShutdown(() => saga.stop());
  await saga.run();
  await trackShipments(bus);
  registerOrderRoutes(service.app, pool, { peers, bus, saga, mode: config.SAGA_MODE });
  const url = await service.listen({ host: config.HOST, port: config.PORT });
  await announce(service, discovery, { url, version: config.SERVICE_VERSION, zone: config.ZONE });
  return service;
}
