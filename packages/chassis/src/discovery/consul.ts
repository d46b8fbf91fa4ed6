import type { Logger } from '../logger.ts';
import { Heartbeat } from './heartbeat.ts';
import { ServiceWatcher } from './service-watcher.ts';
import type { Discovery, Registration, ServiceInstance } from './types.ts';

export interface ConsulDiscoveryOptions {
  /** The local Consul agent, e.g. `http://127.0.0.1:8500`. */
  address: string;
  heartbeatIntervalMs?: number;
  log?: Pick<Logger, 'info' | 'warn'>;
  /** ACL token, when the agent requires one. */
  token?: string;
}

interface ConsulHealthEntry {
  Service: {
    ID: string;
    Service: string;
    Address: string;
    Port: number;
    Meta?: Record<string, string>;
  };
}

/**
 * Discovery through a Consul agent's HTTP API: the instance registers with a TTL
 * check that each heartbeat passes (Consul marks it critical when the beats stop, and
 * removes it a minute later), and lists come from `/v1/health/service` with
 * `passing` and blocking queries (`index`, `wait`), so changes arrive as they happen.
 */
export function consulDiscovery(options: ConsulDiscoveryOptions): Discovery {
  const base = options.address.replace(/\/+$/, '');
  const heartbeatMs = options.heartbeatIntervalMs ?? 3_000;
  const ttlSeconds = Math.max(3, Math.ceil((heartbeatMs * 10) / 3 / 1_000));
  let self: Registration | undefined;

  async function agent(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.token ? { 'x-consul-token': options.token } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : null,
      signal: AbortSignal.any([watcher.signal, signal ?? AbortSignal.timeout(5_000)]),
    });
    if (response.status !== 200) {
      throw new Error(`consul ${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return response;
  }

  async function registerWithAgent(registration: Registration) {
    const url = new URL(registration.url);
    await agent('PUT', '/v1/agent/service/register', {
      ID: registration.instanceId,
      Name: registration.service,
      Address: url.hostname,
      Port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      Meta: {
        ...registration.metadata,
        version: registration.version,
        zone: registration.zone,
        scheme: url.protocol.replace(':', ''),
      },
      Check: {
        CheckID: `service:${registration.instanceId}`,
        TTL: `${ttlSeconds}s`,
        DeregisterCriticalServiceAfter: '1m',
      },
    });
  }

  const watcher = new ServiceWatcher(async (service, index, signal) => {
    // Consul's advice: an index of 0 answers at once, so wait on at least 1.
    const query = index === undefined ? 'passing=true' : `passing=true&index=${Math.max(1, index)}&wait=30s`;
    const path = `/v1/health/service/${encodeURIComponent(service)}?${query}`;
    const response = await agent(
      'GET',
      path,
      undefined,
      AbortSignal.any([signal, AbortSignal.timeout(40_000)]),
    );
    const entries = (await response.json()) as ConsulHealthEntry[];
    return { instances: entries.map(toInstance), index: Number(response.headers.get('x-consul-index') ?? 0) };
  });

  const heartbeat = new Heartbeat(
    async () => {
      if (!self) return;
      const check = `/v1/agent/check/pass/${encodeURIComponent(`service:${self.instanceId}`)}`;
      // An agent that lost the service (restarted, or reaped it) is told again.
      await agent('PUT', check).catch(async () => {
        if (self) await registerWithAgent(self);
        await agent('PUT', check);
      });
    },
    { intervalMs: heartbeatMs, target: base, log: options.log },
  );

  return {
    driver: 'consul',
    async register(registration) {
      self = registration;
      await registerWithAgent(registration).catch(() => undefined); // the heartbeat retries it
      await heartbeat.start();
    },
    async deregister() {
      heartbeat.stop();
      if (!self) return;
      const path = `/v1/agent/service/deregister/${encodeURIComponent(self.instanceId)}`;
      await agent('PUT', path).catch(() => undefined);
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

function toInstance(entry: ConsulHealthEntry): ServiceInstance {
  const { version = 'unknown', zone = 'default', scheme = 'http', ...metadata } = entry.Service.Meta ?? {};
  return {
    service: entry.Service.Service,
    instanceId: entry.Service.ID,
    url: `${scheme}://${entry.Service.Address}:${entry.Service.Port}`,
    version,
    zone,
    metadata,
  };
}
