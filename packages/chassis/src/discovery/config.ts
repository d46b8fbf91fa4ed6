import Type, { type Static, type TProperties } from 'typebox';
import { ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Service } from '../service.ts';
import { consulDiscovery } from './consul.ts';
import { registryDiscovery } from './registry.ts';
import { serviceTokenSource } from './service-token.ts';
import { staticDiscovery, staticUrlsFromEnv } from './static.ts';
import type { Discovery } from './types.ts';

/** How a service finds the others and announces itself. Spread into a service's config schema. */
export const discoveryConfig = {
  DISCOVERY: Type.Union([Type.Literal('static'), Type.Literal('registry'), Type.Literal('consul')], {
    default: 'static',
    description: 'static (<SERVICE>_URL lists, or Kubernetes Service DNS), registry, or consul',
  }),
  REGISTRY_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'the registry service (DISCOVERY=registry)' }),
  ),
  CONSUL_HTTP_ADDR: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:8500',
    description: 'the local Consul agent (DISCOVERY=consul)',
  }),
  CONSUL_HTTP_TOKEN: Type.Optional(Type.String({ description: 'Consul ACL token' })),
  HEARTBEAT_INTERVAL_MS: Type.Integer({ minimum: 100, default: 3_000 }),
  SERVICE_VERSION: Type.String({ default: '1.0.0', description: 'announced with the instance' }),
  ZONE: Type.String({ default: 'local', description: 'announced with the instance' }),
  IDENTITY_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'identity, for service tokens (DISCOVERY=registry)' }),
  ),
  SERVICE_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  SERVICE_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
} satisfies TProperties;

const DiscoverySettings = Type.Object(discoveryConfig);
export type DiscoverySettings = Static<typeof DiscoverySettings>;

/** The driver the configuration names; a registry without credentials is a configuration error. */
export function createDiscovery(
  config: DiscoverySettings,
  options: { log?: Logger; env?: NodeJS.ProcessEnv } = {},
): Discovery {
  const log = options.log;
  switch (config.DISCOVERY) {
    case 'static':
      // `<SERVICE>_URL` lists, and `<SERVICE>_GRPC_URL` (same order) where a service serves gRPC.
      return staticDiscovery(
        staticUrlsFromEnv(options.env ?? process.env),
        staticUrlsFromEnv(options.env ?? process.env, '_GRPC_URL'),
      );
    case 'consul':
      return consulDiscovery({
        address: config.CONSUL_HTTP_ADDR,
        heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
        ...(config.CONSUL_HTTP_TOKEN ? { token: config.CONSUL_HTTP_TOKEN } : {}),
        ...(log ? { log } : {}),
      });
    case 'registry': {
      const { REGISTRY_URL, IDENTITY_URL, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET } = config;
      if (!REGISTRY_URL || !IDENTITY_URL || !SERVICE_CLIENT_ID || !SERVICE_CLIENT_SECRET) {
        throw new ConfigError(
          'invalid configuration: DISCOVERY=registry needs REGISTRY_URL, IDENTITY_URL, SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET',
        );
      }
      return registryDiscovery({
        registryUrl: REGISTRY_URL,
        tokens: serviceTokenSource({
          tokenUrl: new URL('/api/v1/auth/token', IDENTITY_URL.split(',')[0]).toString(),
          clientId: SERVICE_CLIENT_ID,
          clientSecret: SERVICE_CLIENT_SECRET,
        }),
        heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
        ...(log ? { log } : {}),
      });
    }
  }
}

/**
 * Announces a listening service and keeps it announced; on shutdown it withdraws
 * before HTTP drains (callers stop picking it), and stops heartbeats afterwards.
 */
export async function announce(
  service: Service,
  discovery: Discovery,
  self: { url: string; version: string; zone: string; metadata?: Record<string, string> },
): Promise<void> {
  await discovery.register({
    service: service.name,
    instanceId: service.instanceId,
    url: self.url,
    version: self.version,
    zone: self.zone,
    metadata: self.metadata ?? {},
  });
  service.beforeDrain(() => discovery.deregister());
  service.onShutdown(() => discovery.close());
}
