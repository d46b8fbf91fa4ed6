// One circuit breaker per version of an upstream. While every instance runs one version
// (nearly always) this is the one breaker per upstream it has always been; during a
// release, a canary that fails opens its own circuit and the baseline's stays closed,
// so its callers keep being served (decision 032).
import { Breaker, type BreakerOptions, type BreakerStateName } from './breaker.ts';
import type { ClientMetrics } from './metrics.ts';

/** How many of a breaker's last state changes a client remembers, for operators. */
const TRANSITIONS_KEPT = 10;
const STATE_VALUE = { closed: 0, open: 1, 'half-open': 2, isolated: 1 } as const;
/** What `open()` answers while every circuit is closed (nearly always): nothing to allocate. */
const NONE_OPEN: ReadonlySet<string> = new Set();
/** Worst first: what an upstream's one-line summary shows. */
const SEVERITY: Record<string, number> = { open: 3, isolated: 3, 'half-open': 2, closed: 1 };

interface VersionBreaker {
  breaker: Breaker;
  transitions: Array<{ to: string; at: string }>;
}

export class VersionBreakers {
  readonly options: BreakerOptions;
  readonly #byVersion = new Map<string, VersionBreaker>();
  readonly #upstream: string;
  readonly #settings: Partial<BreakerOptions>;
  readonly #metrics: ClientMetrics | undefined;

  constructor(upstream: string, settings: Partial<BreakerOptions> = {}, metrics?: ClientMetrics) {
    this.#upstream = upstream;
    this.#settings = settings;
    this.#metrics = metrics;
    this.options = new Breaker(settings).options;
  }

  /** The breaker of `version`, made closed the first time the version is seen. */
  of(version: string): Breaker {
    const known = this.#byVersion.get(version);
    if (known) return known.breaker;
    const breaker = new Breaker(this.#settings);
    const entry: VersionBreaker = { breaker, transitions: [] };
    const labels = { upstream: this.#upstream, version };
    this.#metrics?.breakerState.set(labels, 0);
    breaker.onStateChange = (to: BreakerStateName) => {
      this.#metrics?.breakerState.set(labels, STATE_VALUE[to]);
      this.#metrics?.breakerTransitions.inc({ ...labels, to });
      entry.transitions.push({ to, at: new Date().toISOString() });
      if (entry.transitions.length > TRANSITIONS_KEPT) entry.transitions.shift();
    };
    this.#byVersion.set(version, entry);
    return breaker;
  }

  /** The versions whose circuit is open: their instances are not picked while another is. */
  open(): ReadonlySet<string> {
    let open: Set<string> | undefined;
    for (const [version, { breaker }] of this.#byVersion) {
      if (breaker.state !== 'open') continue;
      open ??= new Set();
      open.add(version);
    }
    return open ?? NONE_OPEN;
  }

  /** Every version's breaker, and the worst of them for a one-line summary. */
  state(now: number) {
    const all = [...this.#byVersion].map(([version, { breaker, transitions }]) => ({
      version,
      state: breaker.state as string,
      since: new Date(breaker.since).toISOString(),
      ...(breaker.state === 'open' ? { retryAfterSeconds: breaker.retryAfterSeconds(now) } : {}),
      transitions: [...transitions],
    }));
    const worst = all.reduce<(typeof all)[number] | undefined>(
      (found, each) => (!found || (SEVERITY[each.state] ?? 0) > (SEVERITY[found.state] ?? 0) ? each : found),
      undefined,
    );
    return {
      breaker: worst ?? { state: 'closed', since: new Date(now).toISOString(), transitions: [] },
      breakers: all.map(({ version, state }) => ({ version, state })),
    };
  }
}
