// The gateway's releases at run time (decision 032): the routing table every request
// reads (a map lookup, then a hash), the figures it records per version for a running
// canary, and the analysis that judges each step every tick, from the figures every
// gateway instance added to the shared store.
import { type Logger, ServiceUnavailable } from '@platform/chassis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { addSample, emptySamples, judgeStep, type StepSamples } from './domain/canary-analysis.ts';
import { type CanaryRelease, type Release, routeOf, sharesOf, type VersionRoute } from './domain/release.ts';
import {
  afterVerdict,
  type Decision,
  decisionOf,
  type ReleaseBook,
  stepKey,
  withDecision,
} from './domain/release-book.ts';
import type { ReleaseStore } from './release-store.ts';

/** A change to the book: the service's release after it (undefined: none) and the decision it is. */
export interface BookChange {
  service: string;
  release: Release | undefined;
  decision: Decision;
}

interface Watched {
  key: string;
  canary: string;
  baseline: string;
}

export class Releases {
  readonly store: ReleaseStore;
  readonly #log: Logger;
  readonly #now: () => number;
  #book: ReleaseBook = { revision: -1, releases: {}, decisions: [] };
  #routes = new Map<string, VersionRoute>();
  #watched = new Map<string, Watched>();
  #pending = new Map<string, StepSamples>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #warned = false;
  readonly #decisions: Counter<'service' | 'action'>;
  readonly #shares: Gauge<'service' | 'version'>;

  constructor(options: { store: ReleaseStore; log: Logger; metrics: Registry; now?: () => number }) {
    this.store = options.store;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#decisions = new Counter({
      name: 'gateway_release_decisions_total',
      help: 'Decisions about releases this gateway took (start, promote, hold, roll-back, complete, switch, ...)',
      labelNames: ['service', 'action'] as const,
      registers: [options.metrics],
    });
    this.#shares = new Gauge({
      name: 'gateway_release_share_percent',
      help: 'The share of a service’s traffic each version gets now, by its release',
      labelNames: ['service', 'version'] as const,
      registers: [options.metrics],
    });
  }

  /** The version table of `service`, if a release routes it. */
  routeOf(service: string): VersionRoute | undefined {
    return this.#routes.get(service);
  }

  get book(): ReleaseBook {
    return this.#book;
  }

  /** Counts an answer of `version` (status undefined: none came) for the running canary of `service`, if any. */
  record(service: string, version: string | undefined, status: number | undefined, seconds?: number): void {
    const watched = this.#watched.get(service);
    if (!watched || version === undefined) return;
    const role =
      version === watched.canary ? 'canary' : version === watched.baseline ? 'baseline' : undefined;
    if (!role) return;
    let step = this.#pending.get(watched.key);
    if (!step) {
      step = { canary: emptySamples(), baseline: emptySamples() };
      this.#pending.set(watched.key, step);
    }
    addSample(step[role], status, seconds === undefined ? undefined : seconds * 1_000);
  }

  /** Reads the book and ticks every `tickMs` from now on. */
  async start(tickMs: number): Promise<void> {
    await this.refresh().catch((error: unknown) => this.#storeFailed(error));
    this.#timer = setInterval(() => {
      this.#ticking ??= this.tick().finally(() => {
        this.#ticking = undefined;
      });
    }, tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ticking;
    await this.#flush().catch(() => undefined);
  }

  /** The book as the store has it now, compiled into the routing table. */
  async refresh(): Promise<ReleaseBook> {
    const book = await this.store.read();
    if (book.revision !== this.#book.revision) this.#compile(book);
    return book;
  }

  /** One round: this gateway's figures to the store, the book read, each running canary judged. */
  async tick(): Promise<void> {
    try {
      await this.#flush();
      const book = await this.refresh();
      for (const release of Object.values(book.releases)) {
        if (release.kind === 'canary' && release.state === 'running') await this.#judge(release);
      }
      this.#warned = false;
    } catch (error) {
      this.#storeFailed(error);
    }
  }

  /**
   * Applies `change` to the latest book and stores it, reading again if another gateway
   * wrote first; `change` answering undefined means there is nothing to do (any more).
   */
  async change(change: (book: ReleaseBook) => BookChange | undefined): Promise<BookChange | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const book = await this.#reach(() => this.store.read());
      const made = change(book);
      if (!made) return undefined;
      const next = withDecision(book, made.service, made.release, made.decision);
      if (await this.#reach(() => this.store.write(next, book.revision))) {
        this.#compile(next);
        this.#decisions.inc({ service: made.service, action: made.decision.action });
        this.#log.info({ decision: made.decision }, `release ${made.decision.action}: ${made.service}`);
        return made;
      }
    }
    throw new ServiceUnavailable('The release book kept changing under this gateway; try again', {
      headers: { 'retry-after': '1' },
    });
  }

  /** A store call; one that fails is a 503 for an operator, who may try again. */
  async #reach<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new ServiceUnavailable('The release store cannot be reached', {
        headers: { 'retry-after': '5' },
        cause: error,
      });
    }
  }

  async #judge(release: CanaryRelease): Promise<void> {
    const samples = await this.store.samples(stepKey(release));
    const now = this.#now();
    const verdict = judgeStep(release, samples, now);
    const next = afterVerdict(release, verdict, now);
    if (!next) return;
    const action = verdict.action === 'wait' ? 'hold' : verdict.action;
    await this.change((book) => {
      // Judged by another gateway meanwhile: its decision stands.
      if (!sameStep(book.releases[release.service], release)) return undefined;
      const decision = decisionOf(next, action, 'analysis', verdict.reason, now, verdict);
      return { service: release.service, release: next, decision };
    });
  }

  async #flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [key, samples] of pending) await this.store.addSamples(key, samples);
  }

  #compile(book: ReleaseBook): void {
    const routes = new Map<string, VersionRoute>();
    const watched = new Map<string, Watched>();
    this.#shares.reset();
    for (const [service, release] of Object.entries(book.releases)) {
      const shares = sharesOf(release);
      routes.set(service, routeOf(`${service}:${release.id}`, shares));
      for (const share of shares) this.#shares.set({ service, version: share.version }, share.percent);
      if (release.kind === 'canary' && release.state === 'running') {
        watched.set(service, { key: stepKey(release), canary: release.canary, baseline: release.baseline });
      }
    }
    this.#book = book;
    this.#routes = routes;
    this.#watched = watched;
  }

  #storeFailed(error: unknown): void {
    if (!this.#warned)
      this.#log.warn({ err: error }, 'release store unreachable: routing by the last book read');
    this.#warned = true;
  }
}

function sameStep(stored: Release | undefined, judged: CanaryRelease): boolean {
  return (
    stored?.kind === 'canary' &&
    stored.id === judged.id &&
    stored.step === judged.step &&
    stored.state === 'running' &&
    stored.held === judged.held
  );
}
