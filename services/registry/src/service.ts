import {
  createService,
  jwtVerifier,
  type Logger,
  type Service,
  type Static,
  serviceOptionsFrom,
} from '@platform/chassis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RegistryConfig } from './config.ts';
import { registerRegistryRoutes } from './http.ts';
import { Registrations } from './registrations.ts';

/** Builds and starts the registry: registrations in memory, evicted when their heartbeats stop. */
export async function startRegistry(config: Static<typeof RegistryConfig>): Promise<Service> {
  const service = await createService({
    name: 'registry',
    description: 'Where instances register, heartbeat and are found',
    ...serviceOptionsFrom(config),
    auth: jwtVerifier({
      issuer: config.TOKEN_ISSUER,
      audience: config.TOKEN_AUDIENCE,
      jwksUrl: config.IDENTITY_JWKS_URL,
      refreshMs: config.JWKS_REFRESH_MS,
    }),
  });
  const registry = new Registrations(config.REGISTRY_TTL_MS);
  instrument(registry, service.metrics, service.log);
  const sweep = setInterval(() => registry.evictExpired(), Math.min(1_000, config.REGISTRY_TTL_MS / 4));
  const closing = new AbortController();
  // Long polls and watch streams end first, so HTTP can drain.
  service.beforeDrain(async () => closing.abort());
  service.onShutdown(async () => clearInterval(sweep));
  registerRegistryRoutes(service.app, registry, closing.signal);
  await service.listen({ host: config.HOST, port: config.PORT });
  return service;
}

/**
 * Live instances, registrations and evictions. The label is `registered_service`:
 * every metric already carries `service`, the registry's own name.
 */
function instrument(registry: Registrations, metrics: Registry, log: Logger): void {
  new Gauge({
    name: 'registry_instances',
    help: 'Live instances, by service',
    labelNames: ['registered_service'] as const,
    registers: [metrics],
    collect() {
      for (const [name, count] of registry.counts()) this.set({ registered_service: name }, count);
    },
  });
  const registrations = new Counter({
    name: 'registry_registrations_total',
    help: 'Instances new to the registry (renewals are not counted)',
    registers: [metrics],
  });
  const evictions = new Counter({
    name: 'registry_evictions_total',
    help: 'Instances dropped because their heartbeats stopped',
    labelNames: ['registered_service'] as const,
    registers: [metrics],
  });
  registry.onRegister = () => registrations.inc();
  registry.onEvict = (name) => {
    evictions.inc({ registered_service: name });
    log.info({ service: name }, 'instance evicted: no heartbeat within the TTL');
  };
}
