import {
  type Discovery,
  openDataService,
  type Service,
  type Static,
  serve,
  serveGrpc,
  type TokenSource,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import { startCarrier } from './carrier.ts';
import { subscribeToFacts } from './choreography.ts';
import { listSetting, type ShippingConfig } from './config.ts';
import { registerQuoteRpc } from './grpc.ts';
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
  const { service, pool, bus } = await openDataService(config, {
    name: 'shipping',
    description: 'Quotes, shipments and tracking; a simulated carrier',
    migrations: new URL('../migrations/', import.meta.url),
    schemas: eventSchemas,
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

  const noServiceCountries = listSetting(config.SHIPPING_NO_SERVICE_COUNTRIES);
  registerShippingRoutes(service.app, createShipmentViews(pool), { noServiceCountries });
  // Quotes also over gRPC (for the order service), on a listener of its own: announced
  // beside the HTTP URL, so callers find both the same way.
  const grpc = await serveGrpc(service, {
    host: config.HOST,
    port: config.GRPC_PORT,
    routes: (router) => registerQuoteRpc(router, noServiceCountries),
  });
  await serve(service, config, { discovery: deps.discovery, metadata: { grpc } });
  return service;
}
