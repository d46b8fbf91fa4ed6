// Where every answer goes: an HDR histogram per route class and one for the whole run
// (Node's perf_hooks histograms, HdrHistogram_c underneath, in integer microseconds,
// 3 significant figures), the errors by kind, status and class, and a window that is
// summed up and emptied every second for the time plots and the progress line.
// Only requests whose ticket was intended inside the measured window are recorded;
// every request of the window is, however late its answer (the run drains them).
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { ErrorKind } from './classify.ts';
import type { RouteClass } from './mix.ts';

/** Ten minutes: far past any timeout; a longer latency is recorded as this. */
const HIGHEST_US = 600_000_000;
const histogram = () => createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 });
const microseconds = (ms: number) => Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
const ms = (us: number) => Math.round(us) / 1000;

export interface Latency {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  'p99.9': number;
  max: number;
  /** [percentile, ms] pairs, denser toward the tail: the percentile spectrum. */
  spectrum: Array<[number, number]>;
}

export interface ErrorRow {
  kind: ErrorKind;
  /** The HTTP status, the order's status for a journey outcome, or 0 with no answer. */
  status: number | string;
  routeClass: RouteClass | '-';
  count: number;
  /** What the first one said (a problem's title and detail, an error message). */
  sample: string;
}

export interface Second {
  /** Seconds since the measured window began (negative during the warm-up). */
  at: number;
  phase: 'warm-up' | 'measured' | 'drain';
  /** Tickets given out this second. */
  target: number;
  /** Requests that ended this second (answered or failed). */
  achieved: number;
  errors: number;
  /** Of the requests that ended this second, ms; null when none did. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  live: number;
  /** Connections open to the gateway, and requests waiting in the load generator for one. */
  connections: number;
  queued: number;
  /** The load generator's own CPU time this second, in % of one core. */
  cpuPercent: number;
}

/** The load generator's state at the end of a second. */
export type Moment = Pick<Second, 'live' | 'connections' | 'queued'>;

/** Whether a request was answered, and how. */
export interface Ending {
  endedAt: number;
  error?: ErrorKind;
  status: number | string;
  sample?: string;
  /** The gateway's x-cache header (HIT, MISS, STALE), when it sent one. */
  cache?: string;
}

class ClassStats {
  readonly histogram = histogram();
  requests = 0;
  answered = 0;
  errors = 0;
  readonly cache = new Map<string, number>();
}

export class Recorder {
  readonly overall = histogram();
  readonly schedulerLag = histogram();
  readonly classes = new Map<RouteClass, ClassStats>();
  readonly errors = new Map<string, ErrorRow>();
  tickets = 0;
  saturated = 0;
  readonly #windowStart: number;
  readonly #windowEnd: number;
  readonly #second = histogram();
  #secondTickets = 0;
  #secondEnded = 0;
  #secondErrors = 0;

  /** The measured window, on performance.now()'s clock. */
  constructor(windowStart: number, windowEnd: number) {
    this.#windowStart = windowStart;
    this.#windowEnd = windowEnd;
  }

  measured(intendedAt: number): boolean {
    return intendedAt >= this.#windowStart && intendedAt < this.#windowEnd;
  }

  /** A ticket given out, `lateMs` after its intended time. */
  ticket(intendedAt: number, lateMs: number): void {
    this.#secondTickets++;
    if (!this.measured(intendedAt)) return;
    this.tickets++;
    this.schedulerLag.record(microseconds(lateMs));
  }

  /**
   * A ticket no shopper could take: every live shopper was busy at the bound
   * (`max-live`), or the mix has only signed-in journeys and no account was free.
   */
  saturation(intendedAt: number, bound: 'max-live' | 'accounts'): void {
    this.#secondErrors++;
    if (!this.measured(intendedAt)) return;
    this.saturated++;
    const sample =
      bound === 'max-live'
        ? 'every live shopper was waiting for an answer and --max-live was reached'
        : 'every shopper account was in use and the mix has no anonymous journey (raise --shoppers)';
    this.#error('loadgen-saturated', bound, '-', sample);
  }

  /** A request of `routeClass` for the ticket intended at `intendedAt` has ended. */
  ended(routeClass: RouteClass, intendedAt: number, ending: Ending): void {
    const latency = microseconds(ending.endedAt - intendedAt);
    this.#second.record(latency);
    this.#secondEnded++;
    if (ending.error) this.#secondErrors++;
    if (!this.measured(intendedAt)) return;
    const stats = this.#classStats(routeClass);
    stats.requests++;
    stats.answered++;
    stats.histogram.record(latency);
    this.overall.record(latency);
    if (ending.cache) stats.cache.set(ending.cache, (stats.cache.get(ending.cache) ?? 0) + 1);
    if (ending.error) {
      stats.errors++;
      this.#error(ending.error, ending.status, routeClass, ending.sample ?? '');
    }
  }

  /** Whether anything happened since the last roll. */
  get pending(): boolean {
    return this.#secondTickets + this.#secondEnded + this.#secondErrors > 0;
  }

  /** Sums up the second that just ended and starts the next. */
  roll(at: number, phase: Second['phase'], moment: Moment, cpuPercent: number): Second {
    const window = this.#second;
    const some = window.count > 0;
    const second: Second = {
      at,
      phase,
      target: this.#secondTickets,
      achieved: this.#secondEnded,
      errors: this.#secondErrors,
      p50: some ? ms(window.percentile(50)) : null,
      p90: some ? ms(window.percentile(90)) : null,
      p99: some ? ms(window.percentile(99)) : null,
      max: some ? ms(window.max) : null,
      ...moment,
      cpuPercent,
    };
    window.reset();
    this.#secondTickets = 0;
    this.#secondEnded = 0;
    this.#secondErrors = 0;
    return second;
  }

  #classStats(routeClass: RouteClass): ClassStats {
    let stats = this.classes.get(routeClass);
    if (!stats) {
      stats = new ClassStats();
      this.classes.set(routeClass, stats);
    }
    return stats;
  }

  #error(kind: ErrorKind, status: number | string, routeClass: RouteClass | '-', sample: string): void {
    const key = `${kind}|${status}|${routeClass}`;
    const row = this.errors.get(key);
    if (row) row.count++;
    else this.errors.set(key, { kind, status, routeClass, count: 1, sample: sample.slice(0, 300) });
  }
}

/** Percentiles of a histogram in ms, with its spectrum (5 points per halving of what is left). */
export function latencyOf(histogram: RecordableHistogram): Latency {
  const count = histogram.count;
  if (count === 0)
    return { count, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, 'p99.9': 0, max: 0, spectrum: [] };
  const spectrum: Array<[number, number]> = [[0, ms(histogram.min)]];
  for (let k = 1; ; k++) {
    const percentile = 100 * (1 - 0.5 ** (k / 5));
    if (100 - percentile < 100 / count) break;
    spectrum.push([Math.round(percentile * 10_000) / 10_000, ms(histogram.percentile(percentile))]);
  }
  spectrum.push([100, ms(histogram.max)]);
  return {
    count,
    min: ms(histogram.min),
    mean: ms(histogram.mean),
    p50: ms(histogram.percentile(50)),
    p90: ms(histogram.percentile(90)),
    p99: ms(histogram.percentile(99)),
    'p99.9': ms(histogram.percentile(99.9)),
    max: ms(histogram.max),
    spectrum,
  };
}
