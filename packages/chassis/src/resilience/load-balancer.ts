import type { ServiceInstance } from '../discovery/types.ts';
import { backoffDelay } from './backoff.ts';

/** How a client picks one instance of a service for a call. */
export type BalancingStrategy = 'round-robin' | 'random' | 'least-outstanding' | 'p2c-ewma';
export const BALANCING_STRATEGIES: BalancingStrategy[] = [
  'round-robin',
  'random',
  'least-outstanding',
  'p2c-ewma',
];

export interface Endpoint {
  instance: ServiceInstance;
  /** Calls sent and not yet answered. */
  outstanding: number;
  /** Moving average of response time, milliseconds. */
  latencyMs: number;
  consecutiveFailures: number;
  /** How many times it has been ejected in a row (the back-off grows with it). */
  ejections: number;
  /** Epoch ms until which it is not picked; 0 when in rotation. */
  ejectedUntil: number;
}

export interface EjectionPolicy {
  /** Consecutive failures (as `failures.ts` counts them) that take an instance out of rotation. */
  consecutiveFailures: number;
  /** First ejection; each further one in a row doubles it, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
}

const EWMA_WEIGHT = 0.3;
const NOTHING_TRIED: ReadonlySet<string> = new Set();
/** A new instance is assumed as fast as this until measured, so it gets traffic to measure. */
const INITIAL_LATENCY_MS = 1;

/**
 * The instances of one service as the client sees them: the list discovery gives,
 * plus what this client measured of each (load, latency, failures). Passive health:
 * an instance that keeps failing is ejected for a growing back-off and then tried
 * again. If every instance is ejected, all are used (better a chance than none).
 */
export class InstancePool {
  readonly strategy: BalancingStrategy;
  readonly #ejection: EjectionPolicy;
  readonly #now: () => number;
  readonly #random: () => number;
  #endpoints: Endpoint[] = [];
  #next = 0;
  /** Called when an instance is taken out of rotation. */
  onEject: (endpoint: Endpoint) => void = () => {};

  constructor(
    strategy: BalancingStrategy,
    ejection: EjectionPolicy,
    options: { now?: () => number; random?: () => number } = {},
  ) {
    this.strategy = strategy;
    this.#ejection = ejection;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Replaces the instance list, keeping what was measured of instances that stay. */
  update(instances: ServiceInstance[]): void {
    const known = new Map(this.#endpoints.map((endpoint) => [endpoint.instance.instanceId, endpoint]));
    this.#endpoints = instances.map((instance) => {
      const existing = known.get(instance.instanceId);
      // The same object, not a copy: calls in flight finish on it.
      if (existing && existing.instance.url === instance.url) {
        existing.instance = instance;
        return existing;
      }
      return {
        instance,
        outstanding: 0,
        latencyMs: INITIAL_LATENCY_MS,
        consecutiveFailures: 0,
        ejections: 0,
        ejectedUntil: 0,
      };
    });
  }

  get endpoints(): readonly Endpoint[] {
    return this.#endpoints;
  }

  isEjected(endpoint: Endpoint): boolean {
    return endpoint.ejectedUntil > this.#now();
  }

  /**
   * One endpoint for the next call, avoiding `exclude` (instances a retry already tried)
   * when it can. With `version`, only instances announcing it, unless none does: then
   * any (a release that names a version nobody runs must not take the service down).
   */
  pick(exclude: ReadonlySet<string> = NOTHING_TRIED, version?: string): Endpoint | undefined {
    const all = version === undefined ? this.#endpoints : this.#ofVersion(version);
    const live = all.filter((endpoint) => !this.isEjected(endpoint));
    const pool = live.length > 0 ? live : all;
    const fresh = pool.filter((endpoint) => !exclude.has(endpoint.instance.instanceId));
    const candidates = fresh.length > 0 ? fresh : pool;
    if (candidates.length === 0) return undefined;
    switch (this.strategy) {
      case 'round-robin':
        return candidates[this.#next++ % candidates.length];
      case 'random':
        return candidates[Math.floor(this.#random() * candidates.length)];
      case 'least-outstanding':
        return candidates.reduce((best, endpoint) =>
          endpoint.outstanding < best.outstanding ? endpoint : best,
        );
      case 'p2c-ewma':
        return this.#powerOfTwoChoices(candidates);
    }
  }

  #ofVersion(version: string): Endpoint[] {
    const matching = this.#endpoints.filter((endpoint) => endpoint.instance.version === version);
    return matching.length > 0 ? matching : this.#endpoints;
  }

  // Two random candidates, the one with the lower expected wait (latency times load) wins.
  #powerOfTwoChoices(candidates: Endpoint[]): Endpoint | undefined {
    if (candidates.length === 1) return candidates[0];
    const first = Math.floor(this.#random() * candidates.length);
    let second = Math.floor(this.#random() * (candidates.length - 1));
    if (second >= first) second += 1;
    const a = candidates[first];
    const b = candidates[second];
    if (!a || !b) return a ?? b;
    const cost = (endpoint: Endpoint) => endpoint.latencyMs * (endpoint.outstanding + 1);
    return cost(b) < cost(a) ? b : a;
  }

  started(endpoint: Endpoint): void {
    endpoint.outstanding += 1;
  }

  /** Records the outcome of a call: `failed` when it counts against the upstream (`failures.ts`). */
  finished(endpoint: Endpoint, outcome: { failed: boolean; elapsedMs: number }): void {
    endpoint.outstanding = Math.max(0, endpoint.outstanding - 1);
    endpoint.latencyMs = endpoint.latencyMs * (1 - EWMA_WEIGHT) + outcome.elapsedMs * EWMA_WEIGHT;
    if (!outcome.failed) {
      endpoint.consecutiveFailures = 0;
      endpoint.ejections = 0;
      return;
    }
    endpoint.consecutiveFailures += 1;
    if (endpoint.consecutiveFailures >= this.#ejection.consecutiveFailures && !this.isEjected(endpoint)) {
      endpoint.ejections += 1;
      endpoint.ejectedUntil =
        this.#now() +
        backoffDelay(endpoint.ejections, {
          baseDelayMs: this.#ejection.baseMs,
          maxDelayMs: this.#ejection.maxMs,
        });
      endpoint.consecutiveFailures = 0;
      this.onEject(endpoint);
    }
  }
}
