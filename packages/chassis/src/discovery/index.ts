export { announce, createDiscovery, type DiscoverySettings, discoveryConfig } from './config.ts';
export { type ConsulDiscoveryOptions, consulDiscovery } from './consul.ts';
export { type RegistryDiscoveryOptions, registryDiscovery } from './registry.ts';
export { type ServiceTokenOptions, serviceTokenSource, type TokenSource } from './service-token.ts';
export { staticDiscovery, staticUrlsFromEnv } from './static.ts';
export type { Discovery, Registration, ServiceInstance } from './types.ts';
