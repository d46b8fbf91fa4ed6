// Service discovery: where the instances of a service are, and how a service says
// where it is. One interface, three drivers (registry, static, consul), chosen by
// configuration; callers never know which one runs.

/** One running copy of a service, as discovery knows it. */
export interface ServiceInstance {
  service: string;
  instanceId: string;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  version: string;
  zone: string;
  metadata: Record<string, string>;
}

/** What a service announces about itself when it registers. */
export type Registration = ServiceInstance;

export interface Discovery {
  /** Which driver this is (`registry`, `static`, `consul`), for logs and admin views. */
  readonly driver: string;
  /**
   * Announces this instance and keeps it announced (heartbeats, health checks) until
   * `deregister` or `close`. Never throws for an unreachable registry: it keeps trying.
   */
  register(self: Registration): Promise<void>;
  /** Withdraws this instance (graceful shutdown), best effort. */
  deregister(): Promise<void>;
  /**
   * The healthy instances of `service`. The first call for a service fetches and starts
   * watching it; later calls answer from what the watch keeps fresh.
   */
  instances(service: string): Promise<ServiceInstance[]>;
  /** Calls `listener` with the full list whenever the instances of `service` change. Returns an unsubscribe function. */
  watch(service: string, listener: (instances: ServiceInstance[]) => void): () => void;
  /** Everything currently known, per watched service (for admin views). */
  snapshot(): Record<string, ServiceInstance[]>;
  /** Stops heartbeats and watches (does not deregister). */
  close(): Promise<void>;
}
