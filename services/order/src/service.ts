import {
  connectPeers,
  createDiscovery,
  type Discovery,
  grpcClient,
  idempotentReplay,
  migrate,
  openDataService,
  type Service,
  type Static,
  serve,
  type TokenSource,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import { ShippingQuoteService } from '@platform/contracts/gen/platform/shipping/v1/quotes_pb.js';
import { registerOrderAudit } from './audit.ts';
import { choreographyFollower } from './choreography-follower.ts';
import type { OrderConfig } from './config.ts';
import { registerOrderRoutes } from './http.ts';
import { liveStatus } from './live-status.ts';
import { PEERS } from './peers.ts';
import { sagaRunner } from './saga-runner.ts';
import { quoteShippingOver } from './shipping-quotes.ts';
import { trackShipments } from './tracking.ts';

/** Builds and starts the order service: event store, saga, routes. */
export async function startOrder(
  config: Static<typeof OrderConfig>,
  deps: { discovery?: Discovery; tokens?: TokenSource } = {},
): Promise<Service> {
  const { service, pool, bus } = await openDataService(config, {
    name: 'order',
    description: 'Orders (event-sourced) and the checkout saga',
    schemas: eventSchemas,
  });
  // The chassis's table of Idempotency-Keys before the order's own migrations: 003
  // moves the keys answered before it into it.
  const replay = await idempotentReplay(pool, { log: service.log });
  await migrate(pool, new URL('../migrations/', import.meta.url), { log: service.log });
  const discovery = deps.discovery ?? createDiscovery(config, { log: service.log });
  const peers = connectPeers(service, config, PEERS, {
    discovery,
    ...(deps.tokens ? { tokens: deps.tokens } : {}),
  });
  if (config.SAGA_STEP_TIMEOUT_MS <= config.BUS_LEASE_MS) {
    service.log.warn(
      { stepTimeoutMs: config.SAGA_STEP_TIMEOUT_MS, busLeaseMs: config.BUS_LEASE_MS },
      'saga steps time out before a crashed instance releases its replies: a crash will cancel orders in flight',
    );
  }
  const saga =
    config.SAGA_MODE === 'choreography'
      ? choreographyFollower(bus, service.log, { stepTimeoutMs: config.SAGA_STEP_TIMEOUT_MS })
      : sagaRunner(bus, service.log, {
          stepTimeoutMs: config.SAGA_STEP_TIMEOUT_MS,
          reservationTtlMs: config.ORDER_RESERVATION_TTL_MS,
        });
  service.onShutdown(() => saga.stop());
  await saga.run();
  await trackShipments(bus);
  const shipping = grpcClient(peers.clients.shipping, ShippingQuoteService);
  service.onShutdown(async () => shipping.close());
  registerOrderRoutes(service.app, pool, {
    peers,
    quoteShipping: quoteShippingOver(shipping),
    bus,
    saga,
    mode: config.SAGA_MODE,
    replay,
  });
  registerOrderAudit(service.app, pool);
  const live = liveStatus(pool, service.log);
  live.register(service.app);
  // Open streams would hold the drain until its deadline: end them first.
  service.beforeDrain(() => live.close());
  await serve(service, config, { discovery, metadata: { sagaMode: config.SAGA_MODE } });
  return service;
}
