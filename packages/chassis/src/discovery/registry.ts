import type { Logger } from '../logger.ts';
import { Heartbeat } from './heartbeat.ts';
import type { TokenSource } from './service-token.ts';
import { ServiceWatcher } from './service-watcher.ts';
import type { Discovery, Registration, ServiceInstance } from './types.ts';

export interface RegistryDiscoveryOptions {
  /** The registry service's base URL. */
  registryUrl: string;
  /** Service tokens: the registry admits services only. */
  tokens: TokenSource;
  heartbeatIntervalMs?: number;
  /** How long one long poll waits for a change. */
  watchWaitMs?: number;
  log?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Discovery through the platform's registry service. `register` sends a heartbeat
 * now and then every interval; the heartbeat is the registration (an idempotent
 * PUT), so after a registry restart every instance is listed again on its next
 * beat. Each watched service has a long poll (`?index=&wait=`) that answers as soon
 * as its instances change, so callers learn of changes without polling.
 */
export function registryDiscovery(options: RegistryDiscoveryOptions): Discovery {
  const base = options.registryUrl.replace(/\/+$/, '');
  const waitMs = options.watchWaitMs ?? 30_000;
  let self: Registration | undefined;

  async function call(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const token = await options.tokens.token();
    return fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : null,
      signal: AbortSignal.any([watcher.signal, signal ?? AbortSignal.timeout(5_000)]),
    });
  }

  const instancePath = ({ service, instanceId }: Registration) =>
    `/registry/services/${encodeURIComponent(service)}/instances/${encodeURIComponent(instanceId)}`;

  const watcher = new ServiceWatcher(async (service, index, signal) => {
    const query = index === undefined ? '' : `?index=${index}&wait=${waitMs}`;
    const response = await call(
      'GET',
      `/registry/services/${encodeURIComponent(service)}${query}`,
      undefined,
      AbortSignal.any([signal, AbortSignal.timeout(waitMs + 5_000)]),
    );
    if (response.status !== 200) {
      await response.arrayBuffer();
      throw new Error(`registry answered ${response.status}`);
    }
    const body = (await response.json()) as { instances: ServiceInstance[] };
    return {
      instances: body.instances.map(toInstance),
      index: Number(response.headers.get('x-registry-index') ?? 0),
    };
  });

  const heartbeat = new Heartbeat(
    async () => {
      if (!self) return;
      const { url, version, zone, metadata } = self;
      const response = await call('PUT', instancePath(self), { url, version, zone, metadata });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`registry answered ${response.status}`);
    },
    { intervalMs: options.heartbeatIntervalMs ?? 3_000, target: base, log: options.log },
  );

  return {
    driver: 'registry',
    async register(registration) {
      self = registration;
      await heartbeat.start();
    },
    async deregister() {
      heartbeat.stop();
      if (!self) return;
      const response = await call('DELETE', instancePath(self)).catch(() => undefined);
      await response?.arrayBuffer();
      self = undefined;
    },
    instances: (service) => watcher.instances(service),
    watch: (service, listener) => watcher.watch(service, listener),
    snapshot: () => watcher.snapshot(),
    async close() {
      heartbeat.stop();
      watcher.close();
    },
  };
}

function toInstance(record: ServiceInstance): ServiceInstance {
  const { service, instanceId, url, version, zone, metadata } = record;
  return { service, instanceId, url, version, zone, metadata };
}
