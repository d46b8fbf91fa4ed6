// Releases of a service's versions through the gateway (decision 032): what each kind
// of release sends where, as weights per version, and the one rule that turns a caller
// into a version: a hash of who they are, so one shopper stays on one version, and a
// canary's growing share keeps everyone it already had. Pure: no I/O, no clock.

/** When a canary step's figures are good enough to go on, and bad enough to go back. */
export interface Thresholds {
  /** Requests the canary must have answered in a step before any verdict on it. */
  minRequests: number;
  /** Canary errors (5xx, no answer) needed before its error rate can roll it back. */
  minErrors: number;
  /** How far the canary's error rate may exceed the baseline's (0.01: one point). */
  maxErrorRateIncrease: number;
  /** The canary's error rate allowed when the baseline had too few requests to compare. */
  maxErrorRate: number;
  /** How many times the baseline's p99 the canary's may be... */
  maxLatencyRatio: number;
  /** ...and by how many milliseconds at least (small latencies are noisy). */
  latencyToleranceMs: number;
  /** The canary's p99 allowed when the baseline had too few requests to compare. */
  maxP99Ms: number;
}

/** The seed's alert thresholds (error rate over 1 %, p99 over 500 ms) and enough traffic to mean something. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  minRequests: 100,
  minErrors: 3,
  maxErrorRateIncrease: 0.01,
  maxErrorRate: 0.01,
  maxLatencyRatio: 1.5,
  latencyToleranceMs: 50,
  maxP99Ms: 500,
};

export const DEFAULT_STEPS = [5, 25, 50, 100];
export const DEFAULT_STEP_SECONDS = 60;

export interface CanaryRelease {
  kind: 'canary';
  id: string;
  service: string;
  /** The version serving everyone else. */
  baseline: string;
  canary: string;
  /** The canary's share at each step, in percent: increasing, the last 100. */
  steps: number[];
  /** Index into `steps`. */
  step: number;
  stepStartedAt: number;
  stepSeconds: number;
  thresholds: Thresholds;
  state: 'running' | 'complete' | 'rolled-back';
  /** Why the current step is held, once said (a hold is logged when its reason changes). */
  held?: 'traffic' | 'errors';
}

export type Colour = 'blue' | 'green';

export interface BlueGreenRelease {
  kind: 'blue-green';
  id: string;
  service: string;
  blue: string;
  green: string;
  live: Colour;
  /** A path of the service that must answer 2xx on each instance of a colour before it goes live. */
  smokePath?: string;
}

/** Weights set by hand, per version (percent, summing to 100). */
export interface SplitRelease {
  kind: 'split';
  id: string;
  service: string;
  weights: Record<string, number>;
}

export type Release = CanaryRelease | BlueGreenRelease | SplitRelease;

/** One share of a service's traffic. */
export interface Share {
  version: string;
  percent: number;
}

/** Where `release` sends traffic now. A canary's share comes first, so growing it keeps its callers. */
export function sharesOf(release: Release): Share[] {
  switch (release.kind) {
    case 'canary': {
      if (release.state === 'rolled-back') return [{ version: release.baseline, percent: 100 }];
      if (release.state === 'complete') return [{ version: release.canary, percent: 100 }];
      const percent = release.steps[release.step] ?? 0;
      return [
        { version: release.canary, percent },
        { version: release.baseline, percent: 100 - percent },
      ];
    }
    case 'blue-green':
      return [{ version: release[release.live], percent: 100 }];
    case 'split':
      return Object.entries(release.weights).map(([version, percent]) => ({ version, percent }));
  }
}

/** A release's shares as a table that one hash and a short scan turn into a version. */
export interface VersionRoute {
  /** Salts the hash: each release draws its own cohort. */
  salt: string;
  versions: string[];
  /** Cumulative upper bounds in basis points (of 10 000), one per version. */
  bounds: number[];
}

export const BASIS = 10_000;

export function routeOf(salt: string, shares: Share[]): VersionRoute {
  const versions: string[] = [];
  const bounds: number[] = [];
  let sum = 0;
  for (const share of shares) {
    if (share.percent <= 0) continue;
    sum += Math.round(share.percent * 100);
    versions.push(share.version);
    bounds.push(Math.min(sum, BASIS));
  }
  // Rounding may leave the last bound a hair short: the last share takes the rest.
  if (bounds.length > 0) bounds[bounds.length - 1] = BASIS;
  return { salt, versions, bounds };
}

/** FNV-1a (32 bits) of `salt` and `key`, as a bucket in [0, BASIS): cheap, stable, well spread. */
export function bucketOf(salt: string, key: string): number {
  let hash = 0x811c9dc5;
  const text = `${salt}\u0000${key}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32), so keys differing in their last characters spread too.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return (hash >>> 0) % BASIS;
}

/** The version `key` (a user, a guest, an address) is sent to; undefined for an empty route. */
export function versionFor(route: VersionRoute, key: string): string | undefined {
  const bucket = bucketOf(route.salt, key);
  for (let i = 0; i < route.bounds.length; i++) {
    if (bucket < (route.bounds[i] ?? 0)) return route.versions[i];
  }
  return undefined;
}

/** Why `steps` cannot be a canary's steps, or undefined. */
export function whyStepsInvalid(steps: number[]): string | undefined {
  if (steps.length === 0) return 'steps: at least one step';
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] ?? 0;
    if (!(step > 0 && step <= 100)) return `steps: each is a percent above 0 and at most 100, not ${step}`;
    if (i > 0 && step <= (steps[i - 1] ?? 0)) return 'steps: each must be larger than the one before';
  }
  if (steps.at(-1) !== 100) return 'steps: the last must be 100 (the canary ends serving everyone)';
  return undefined;
}

/** Why `weights` cannot be split weights, or undefined. */
export function whyWeightsInvalid(weights: Record<string, number>): string | undefined {
  const entries = Object.entries(weights);
  if (entries.length === 0) return 'weights: at least one version';
  if (entries.some(([, percent]) => !(percent >= 0 && percent <= 100)))
    return 'weights: each is a percent from 0 to 100';
  const sum = entries.reduce((total, [, percent]) => total + percent, 0);
  if (Math.abs(sum - 100) > 1e-9) return `weights: they must sum to 100, not ${sum}`;
  return undefined;
}

/** Whether a release is still moving by itself (a new one must wait, or roll it back first). */
export function inProgress(release: Release | undefined): boolean {
  return release?.kind === 'canary' && release.state === 'running';
}

/** The version serving everyone now, if one does (a new canary's baseline). */
export function stableVersionOf(release: Release | undefined): string | undefined {
  if (!release) return undefined;
  const shares = sharesOf(release).filter((share) => share.percent > 0);
  return shares.length === 1 ? shares[0]?.version : undefined;
}
