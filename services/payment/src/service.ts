import {
  announce,
  Breaker,
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
import type { PaymentConfig } from './config.ts';
import { handleCommands, handleFacts } from './handlers.ts';
import { registerPaymentRoutes } from './http.ts';
import { registerAdminRoutes } from './http-admin.ts';
import { paymentOperations } from './operations.ts';
import { guardProcessor } from './processor/guarded.ts';
import { createCardProcessor } from './processor/processor.ts';

/**
 * Builds and starts the payment service: its database migrated, the saga adapter the
 * configuration names subscribed, its routes listening. Payment calls no other
 * service, so `deps.tokens` is accepted for symmetry with the others and unused.
 */
export async function startPayment(
  config: Static<typeof PaymentConfig>,
  deps: { discovery?: Discovery; tokens?: TokenSource } = {},
): Promise<Service> {
  const service = await createService({
    name: 'payment',
    description: 'Payments, refunds and their ledger, around a simulated card processor',
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

  const processor = createCardProcessor({
    secret: config.PAYMENT_PROCESSOR_SECRET,
    latencyMs: config.PAYMENT_PROCESSOR_LATENCY_MS,
    failureRate: config.PAYMENT_PROCESSOR_FAILURE_RATE,
  });
  const breaker = new Breaker({ openMs: config.PAYMENT_BREAKER_OPEN_MS });
  breaker.onStateChange = (state) => service.log.warn({ state }, 'card processor circuit changed state');
  const operations = paymentOperations(guardProcessor(processor, breaker));

  registerPaymentRoutes(service.app, pool, processor);
  registerAdminRoutes(service.app, { bus, operations, processor, breaker });
  if (config.SAGA_MODE === 'choreography') await handleFacts(bus, operations);
  else await handleCommands(bus, operations);

  const url = await service.listen({ host: config.HOST, port: config.PORT });
  await announce(service, deps.discovery ?? createDiscovery(config, { log: service.log }), {
    url,
    version: config.SERVICE_VERSION,
    zone: config.ZONE,
    metadata: { sagaMode: config.SAGA_MODE },
  });
  return service;
}
