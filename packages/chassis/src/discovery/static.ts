import type { Discovery, ServiceInstance } from './types.ts';

/**
 * Instances named up front: `CATALOG_URL=http://a:1,http://b:2`. This is also the
 * Kubernetes case, where one Service DNS name stands for every ready pod and the
 * cluster balances behind it; `#2.0.0` after a URL names its version (a canary
 * Service beside the stable one). Registering is a no-op: nobody is told anything.
 */
export function staticDiscovery(
  urls: Record<string, string[]>,
  grpcUrls: Record<string, string[]> = {},
): Discovery {
  const known: Record<string, ServiceInstance[]> = {};
  for (const [service, list] of Object.entries(urls)) {
    known[service] = list.map((entry, index) => {
      const grpc = grpcUrls[service]?.[index];
      // `http://catalog-canary:8080#2.0.0`: a fragment is never sent, so it can name the version.
      const [url = '', version = 'unknown'] = entry.split('#', 2);
      return {
        service,
        instanceId: `${service}-${index}`,
        url: url.replace(/\/+$/, ''),
        version,
        zone: 'default',
        // Its gRPC listener, as an instance under a registry announces it.
        metadata: grpc ? { grpc: grpc.replace(/\/+$/, '') } : ({} as Record<string, string>),
      };
    });
  }
  return {
    driver: 'static',
    async register() {},
    async deregister() {},
    async instances(service) {
      return known[service] ?? [];
    },
    watch() {
      return () => {};
    },
    snapshot() {
      return { ...known };
    },
    async close() {},
  };
}

/**
 * `<SERVICE>_URL` variables as lists of URLs: `CATALOG_URL`, `SHIPPING_QUOTES_URL` → `shipping-quotes`
 * (never a `_GRPC_URL`); with `suffix` `_GRPC_URL`, the gRPC listeners' (`SHIPPING_GRPC_URL`).
 */
export function staticUrlsFromEnv(env: NodeJS.ProcessEnv, suffix = '_URL'): Record<string, string[]> {
  const urls: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(env)) {
    if (suffix === '_URL' && name.endsWith('_GRPC_URL')) continue;
    const match = new RegExp(`^([A-Z][A-Z0-9_]*)${suffix}$`).exec(name);
    if (!match?.[1] || !value || !/^https?:\/\//.test(value)) continue;
    const service = match[1].toLowerCase().replace(/_/g, '-');
    urls[service] = value
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean);
  }
  return urls;
}
