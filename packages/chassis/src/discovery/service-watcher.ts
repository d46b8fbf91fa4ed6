import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceInstance } from './types.ts';

type Listener = (instances: ServiceInstance[]) => void;

/** One blocking query: the instances now, and the index to wait on next. */
export type Poll = (
  service: string,
  index: number,
  signal: AbortSignal,
) => Promise<{ instances: ServiceInstance[]; index: number }>;

/**
 * What a discovery driver knows of the services it watches, kept fresh by one
 * blocking-query loop per service (the registry's long poll, Consul's `index`/`wait`),
 * and who to tell when that changes. A server whose index goes backwards (it
 * restarted) is asked afresh; while it is away the last known list stays.
 */
export class ServiceWatcher {
  readonly #poll: Poll;
  readonly #stop = new AbortController();
  readonly #known = new Map<string, ServiceInstance[]>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #loops = new Map<string, Promise<void>>();

  constructor(poll: Poll) {
    this.#poll = poll;
  }

  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** The instances of `service`; the first call waits for the first answer (or failure). */
  async instances(service: string): Promise<ServiceInstance[]> {
    await this.#ensureWatching(service);
    return this.#known.get(service) ?? [];
  }

  watch(service: string, listener: Listener): () => void {
    void this.#ensureWatching(service);
    const set = this.#listeners.get(service) ?? new Set<Listener>();
    set.add(listener);
    this.#listeners.set(service, set);
    return () => set.delete(listener);
  }

  snapshot(): Record<string, ServiceInstance[]> {
    return Object.fromEntries(this.#known);
  }

  close(): void {
    this.#stop.abort();
  }

  #ensureWatching(service: string): Promise<void> {
    let started = this.#loops.get(service);
    if (!started) {
      started = new Promise<void>((resolve) => void this.#loop(service, resolve));
      this.#loops.set(service, started);
    }
    return started;
  }

  async #loop(service: string, first: () => void): Promise<void> {
    let index = 0;
    let delay = 250;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        const result = await this.#poll(service, index, signal);
        index = result.index < index || result.index <= 0 ? 0 : result.index;
        this.#set(service, result.instances);
        delay = 250;
      } catch {
        if (signal.aborted) break;
        index = 0;
        first();
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        delay = Math.min(delay * 2, 5_000);
      }
      first();
    }
    first();
  }

  /** Stores the list; tells listeners only if it differs from what was known. */
  #set(service: string, instances: ServiceInstance[]): void {
    const sorted = [...instances].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    const before = this.#known.get(service);
    this.#known.set(service, sorted);
    if (before && JSON.stringify(before) === JSON.stringify(sorted)) return;
    for (const listener of this.#listeners.get(service) ?? []) listener(sorted);
  }
}
