// Automated canary analysis: during each step, the canary's error rate and p99 against
// the baseline's, from what the gateway measured of both in that step. A 4xx is the
// caller's doing and never counts; a 5xx or no answer is the version's. Pure.
import type { CanaryRelease, Thresholds } from './release.ts';

/** Upper bounds of the latency buckets, in milliseconds; one more bucket holds the rest. */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1_000, 2_000, 5_000];

/** What the gateway saw of one version in one step: mergeable across gateway instances. */
export interface Samples {
  requests: number;
  errors: number;
  /** Counts per bucket of LATENCY_BOUNDS_MS, and one for slower. */
  buckets: number[];
}

export interface StepSamples {
  canary: Samples;
  baseline: Samples;
}

export function emptySamples(): Samples {
  return { requests: 0, errors: 0, buckets: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0) };
}

/** Whether an outcome counts against the version that gave it: a 5xx, or no answer at all. */
export function isVersionError(status: number | undefined): boolean {
  return status === undefined || status >= 500;
}

export function bucketIndex(ms: number): number {
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && ms > (LATENCY_BOUNDS_MS[i] ?? 0)) i++;
  return i;
}

/**
 * Counts one answer (or its absence: `status` undefined) taking `ms`; without `ms`, a
 * call its version could not take at all (its circuit open): an error, with no latency.
 */
export function addSample(samples: Samples, status: number | undefined, ms?: number): void {
  samples.requests += 1;
  if (isVersionError(status)) samples.errors += 1;
  if (ms === undefined) return;
  const index = bucketIndex(ms);
  samples.buckets[index] = (samples.buckets[index] ?? 0) + 1;
}

export function mergeSamples(into: Samples, more: Samples): Samples {
  into.requests += more.requests;
  into.errors += more.errors;
  more.buckets.forEach((count, i) => {
    into.buckets[i] = (into.buckets[i] ?? 0) + count;
  });
  return into;
}

/** The 99th percentile as the upper bound of its bucket (twice the last bound past it); undefined without requests. */
export function p99Ms(samples: Samples): number | undefined {
  const timed = samples.buckets.reduce((sum, count) => sum + (count ?? 0), 0);
  if (timed === 0) return undefined;
  const rank = Math.ceil(timed * 0.99);
  let seen = 0;
  for (let i = 0; i < samples.buckets.length; i++) {
    seen += samples.buckets[i] ?? 0;
    if (seen >= rank) return LATENCY_BOUNDS_MS[i] ?? (LATENCY_BOUNDS_MS.at(-1) ?? 0) * 2;
  }
  return undefined;
}

export interface Figures {
  requests: number;
  errors: number;
  errorRate: number;
  p99Ms?: number;
}

export function figuresOf(samples: Samples): Figures {
  const p99 = p99Ms(samples);
  return {
    requests: samples.requests,
    errors: samples.errors,
    errorRate: samples.requests === 0 ? 0 : samples.errors / samples.requests,
    ...(p99 === undefined ? {} : { p99Ms: p99 }),
  };
}

export type VerdictAction = 'wait' | 'hold' | 'promote' | 'complete' | 'roll-back';

export interface Verdict {
  /** `wait`: the step is still running and nothing is wrong yet (not a decision to log). */
  action: VerdictAction;
  reason: string;
  /** What a hold waits for: more requests, or more errors before a rate is judged. */
  waitingFor?: 'traffic' | 'errors';
  canary: Figures;
  baseline: Figures;
}

const percent = (rate: number) => `${(rate * 100).toFixed(2)} %`;

/** What the canary may not exceed: against the baseline when it had enough requests, else the absolute limits. */
function limitsOf(baseline: Figures, thresholds: Thresholds) {
  const compared = baseline.requests >= thresholds.minRequests && baseline.p99Ms !== undefined;
  if (!compared) {
    return { compared, errorRate: thresholds.maxErrorRate, p99Ms: thresholds.maxP99Ms };
  }
  const base = baseline.p99Ms ?? 0;
  return {
    compared,
    errorRate: baseline.errorRate + thresholds.maxErrorRateIncrease,
    p99Ms: Math.max(base * thresholds.maxLatencyRatio, base + thresholds.latencyToleranceMs),
  };
}

/**
 * The verdict on a running canary's current step: roll back as soon as enough requests
 * show it worse than the baseline (or than the limits, when the baseline has too few);
 * promote (or complete, after the last step) once the step has lasted its time with
 * enough requests and nothing wrong; otherwise hold (too little traffic, or too few
 * errors to judge a rate) or wait for the step to end.
 */
export function judgeStep(release: CanaryRelease, samples: StepSamples, now: number): Verdict {
  const { thresholds } = release;
  const canary = figuresOf(samples.canary);
  const baseline = figuresOf(samples.baseline);
  const verdict = (action: VerdictAction, reason: string, waitingFor?: 'traffic' | 'errors'): Verdict => ({
    action,
    reason,
    canary,
    baseline,
    ...(waitingFor ? { waitingFor } : {}),
  });
  const limits = limitsOf(baseline, thresholds);
  const against = limits.compared ? 'against the baseline' : 'the absolute limit; the baseline';
  const enough = canary.requests >= thresholds.minRequests;
  const errorsHigh = enough && canary.errorRate > limits.errorRate;
  if (errorsHigh && canary.errors >= thresholds.minErrors) {
    return verdict(
      'roll-back',
      `error rate ${percent(canary.errorRate)} over ${percent(limits.errorRate)} (${against} at ${percent(baseline.errorRate)})`,
    );
  }
  if (enough && canary.p99Ms !== undefined && canary.p99Ms > limits.p99Ms) {
    return verdict(
      'roll-back',
      `p99 ${canary.p99Ms} ms over ${Math.round(limits.p99Ms)} ms (${against} at ${baseline.p99Ms ?? '-'} ms)`,
    );
  }
  if (now - release.stepStartedAt < release.stepSeconds * 1_000) return verdict('wait', 'step running');
  if (!enough) {
    return verdict(
      'hold',
      `insufficient traffic: ${canary.requests} of ${thresholds.minRequests} requests to the canary`,
      'traffic',
    );
  }
  if (errorsHigh) {
    return verdict(
      'hold',
      `error rate ${percent(canary.errorRate)} over ${percent(limits.errorRate)}, but ${canary.errors} errors are too few to judge (${thresholds.minErrors} needed)`,
      'errors',
    );
  }
  const healthy = `healthy: ${canary.requests} requests, error rate ${percent(canary.errorRate)}, p99 ${canary.p99Ms ?? '-'} ms (baseline ${percent(baseline.errorRate)}, ${baseline.p99Ms ?? '-'} ms)`;
  const last = release.step >= release.steps.length - 1;
  return verdict(last ? 'complete' : 'promote', healthy);
}
