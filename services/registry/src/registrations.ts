// What the registry knows: the live instances of every service, a change counter
// (the index watchers wait on), and who is waiting for the next change.

export interface InstanceRecord {
  service: string;
  instanceId: string;
  url: string;
  version: string;
  zone: string;
  metadata: Record<string, string>;
  registeredAt: string;
  lastHeartbeatAt: string;
}

export interface Change {
  index: number;
  service: string;
  instances: InstanceRecord[];
}

type Announcement = Pick<InstanceRecord, 'service' | 'instanceId' | 'url' | 'version' | 'zone' | 'metadata'>;

/**
 * Registrations with a time to live: a heartbeat (the same call as registering)
 * renews one, silence past the TTL evicts it. Every change that a caller could see
 * (new instance, changed URL or metadata, removal) moves the index on and is
 * told to listeners; a heartbeat that changes nothing does not.
 */
export class Registrations {
  readonly ttlMs: number;
  readonly #services = new Map<string, Map<string, InstanceRecord & { expiresAt: number }>>();
  readonly #listeners = new Set<(change: Change) => void>();
  readonly #now: () => number;
  #index = 0;
  /** Called with the service name of each new instance. */
  onRegister: (service: string) => void = () => {};
  /** Called with the service name of each eviction. */
  onEvict: (service: string) => void = () => {};

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.#now = now;
  }

  get index(): number {
    return this.#index;
  }

  /** Registers or renews; true when this was news (a new instance or a changed one). */
  heartbeat(announcement: Announcement): { record: InstanceRecord; created: boolean } {
    const now = this.#now();
    const instances = this.#services.get(announcement.service) ?? new Map();
    this.#services.set(announcement.service, instances);
    const existing = instances.get(announcement.instanceId);
    const at = new Date(now).toISOString();
    const record = {
      ...announcement,
      registeredAt: existing?.registeredAt ?? at,
      lastHeartbeatAt: at,
      expiresAt: now + this.ttlMs,
    };
    instances.set(announcement.instanceId, record);
    const changed =
      !existing ||
      existing.url !== record.url ||
      existing.version !== record.version ||
      existing.zone !== record.zone ||
      JSON.stringify(existing.metadata) !== JSON.stringify(record.metadata);
    if (!existing) this.onRegister(announcement.service);
    if (changed) this.#changed(announcement.service);
    return { record: publicRecord(record), created: !existing };
  }

  deregister(service: string, instanceId: string): boolean {
    const removed = this.#services.get(service)?.delete(instanceId) ?? false;
    if (removed) this.#changed(service);
    return removed;
  }

  /** Drops every instance whose TTL has run out. */
  evictExpired(): void {
    const now = this.#now();
    for (const [service, instances] of this.#services) {
      for (const [id, record] of instances) {
        if (record.expiresAt > now) continue;
        instances.delete(id);
        this.onEvict(service);
        this.#changed(service);
      }
    }
  }

  instances(service: string): InstanceRecord[] {
    return [...(this.#services.get(service)?.values() ?? [])]
      .map(publicRecord)
      .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

  all(): Record<string, InstanceRecord[]> {
    return Object.fromEntries(
      [...this.#services.keys()].map((service) => [service, this.instances(service)]),
    );
  }

  counts(): Array<[string, number]> {
    return [...this.#services].map(([service, instances]) => [service, instances.size]);
  }

  listen(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves when the index passes `after` (at once if it already has, or if `after`
   * is from the future: a client that outlived a registry restart), or when `waitMs`
   * runs out or `signal` aborts.
   */
  waitForChange(after: number, waitMs: number, signal: AbortSignal, service?: string): Promise<void> {
    if (after !== this.#index) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unlisten();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      const unlisten = this.listen((change) => {
        if (!service || change.service === service) done();
      });
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #changed(service: string): void {
    this.#index += 1;
    const change = { index: this.#index, service, instances: this.instances(service) };
    for (const listener of this.#listeners) listener(change);
  }
}

function publicRecord(record: InstanceRecord & { expiresAt?: number }): InstanceRecord {
  const { expiresAt: _expiresAt, ...rest } = record;
  return rest;
}
