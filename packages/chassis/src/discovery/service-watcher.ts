import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceInstance } from './types.ts';

type Listener = (instances: ServiceInstance[]) => void;

/**
 * One blocking query: the instances now, and the index to wait on next. Without an
 * index (the first call, or after an error) it answers at once; with one it waits
 * for a change past it.
 */
export type Poll = (
  service: string,
  index: number | undefined,
  signal: AbortSignal,
) => Promise<{ instances: ServiceInstance[]; index: number }>;

/** A blocking query that comes back sooner than this without progress is paced (see #loop). */
const MIN_QUIET_POLL_MS = 250;

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
    let index: number | undefined;
    let delay = 500;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const started = performance.now();
      try {
        const result = await this.#poll(service, index, signal);
        // An index that went backwards is a restarted server: its answer is current,
        // and its own index is the one to wait on from now on. Index 0 is a server
        // that has seen no change yet: waiting on 0 blocks until the first one.
        const progressed = index === undefined || result.index !== index;
        index = Math.max(0, result.index);
        this.#set(service, result.instances);
        delay = 500;
        // A server that answers at once without moving on would make this loop spin.
        const quick = performance.now() - started < MIN_QUIET_POLL_MS;
        if (!progressed && quick) await pause(MIN_QUIET_POLL_MS, signal);
      } catch {
        if (signal.aborted) break;
        index = undefined;
        first();
        await pause(delay, signal);
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

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
