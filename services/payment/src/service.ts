import {
  Breaker,
  type Discovery,
  openDataService,
  type Service,
  type Static,
  serve,
  type TokenSource,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import { registerPaymentAudit } from './audit.ts';
import type { PaymentConfig } from './config.ts';
import { handleCommands, handleFacts } from './handlers.ts';
import { startHoldLapses } from './hold-lapses.ts';
import { registerPaymentRoutes } from './http.ts';
import { registerAdminRoutes } from './http-admin.ts';
import { guardProcessor } from './processor/guarded.ts';
import { type CardProcessor, createCardProcessor } from './processor/processor.ts';
import { startCallRunner } from './runner.ts';

/**
 * Builds and starts the payment service: its database migrated, the saga adapter the
 * configuration names subscribed, its routes listening. Payment calls no other
 * service, so `deps.tokens` is accepted for symmetry with the others and unused;
 * `deps.processor` stands in for the simulated card processor (tests).
 */
export async function startPayment(
  config: Static<typeof PaymentConfig>,
  deps: { discovery?: Discovery; tokens?: TokenSource; processor?: CardProcessor } = {},
): Promise<Service> {
  const { service, pool, bus } = await openDataService(config, {
    name: 'payment',
    description: 'Payments, refunds and their ledger, around a simulated card processor',
    migrations: new URL('../migrations/', import.meta.url),
    schemas: eventSchemas,
  });

  const processor =
    deps.processor ??
    createCardProcessor({
      secret: config.PAYMENT_PROCESSOR_SECRET,
      latencyMs: config.PAYMENT_PROCESSOR_LATENCY_MS,
      failureRate: config.PAYMENT_PROCESSOR_FAILURE_RATE,
    });
  const breaker = new Breaker({ openMs: config.PAYMENT_BREAKER_OPEN_MS });
  breaker.onStateChange = (state) => service.log.warn({ state }, 'card processor circuit changed state');
  const runner = startCallRunner({
    pool,
    bus,
    processor: guardProcessor(processor, breaker),
    leaseMs: config.PAYMENT_CALL_LEASE_MS,
    pollMs: config.PAYMENT_CALL_POLL_MS,
    log: service.log,
  });
  // Registered after the bus, so it stops (at shutdown) before the bus and the pool close.
  service.onShutdown(() => runner.stop());

  registerPaymentRoutes(service.app, pool, processor);
  registerPaymentAudit(service.app, pool);
  registerAdminRoutes(service.app, { pool, bus, runner, processor, breaker });
  if (config.SAGA_MODE === 'choreography') {
    const lapses = startHoldLapses({ bus, runner, pollMs: config.PAYMENT_CALL_POLL_MS, log: service.log });
    // Registered after the runner, so it stops first: it hands the runner the calls it records.
    service.onShutdown(() => lapses.stop());
    await handleFacts(bus, runner, config.PAYMENT_HOLD_GRACE_MS);
  } else {
    await handleCommands(bus, runner);
  }

  await serve(service, config, { discovery: deps.discovery, metadata: { sagaMode: config.SAGA_MODE } });
  return service;
}
