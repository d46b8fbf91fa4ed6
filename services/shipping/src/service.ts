import {
  announce,
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
import { startCarrier } from './carrier.ts';
import { subscribeToFacts } from './choreography.ts';
import { listSetting, type ShippingConfig } from './config.ts';
import { subscribeToCommands } from './handlers.ts';
import { registerShippingRoutes } from './http.ts';
import type { CarrierRules } from './shipments.ts';
import { createShipmentViews } from './store.ts';

export interface ShippingDeps {
  discovery?: Discovery;
  /** Accepted for symmetry with the other services: shipping calls no peers. */
  tokens?: TokenSource;
}

/** Builds and starts shipping: database migrated, saga adapter subscribed, carrier ticking, routes listening. */
export async function startShipping(
  config: Static<typeof ShippingConfig>,
  deps: ShippingDeps = {},
): Promise<Service> {
  const service = await createService({
    name: 'shipping',
    description: 'Quotes, shipments and tracking; a simulated carrier',
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
  const rules: CarrierRules = {
    undeliverablePostalCodes: listSetting(config.SHIPPING_UNDELIVERABLE_POSTAL_CODES),
    stepMs: config.SHIPPING_STEP_MS,
  };
  if (config.SAGA_MODE === 'choreography') await subscribeToFacts(bus, rules);
  else await subscribeToCommands(bus, rules);
  // Registered after the bus, so it stops (at shutdown) before the bus and the pool close.
  const carrier = startCarrier({
    bus,
    log: service.log,
    stepMs: rules.stepMs,
    tickMs: config.SHIPPING_TICK_MS,
  });
  service.onShutdown(() => carrier.stop());

  registerShippingRoutes(service.app, createShipmentViews(pool), {
    noServiceCountries: listSetting(config.SHIPPING_NO_SERVICE_COUNTRIES),
  });
  const url = await service.listen({ host: config.HOST, port: config.PORT });
  await announce(service, deps.discovery ?? createDiscovery(config, { log: service.log }), {
    url,
    version: config.SERVICE_VERSION,
    zone: config.ZONE,
  });
  return service;
}
