// The release book: every service's current release and the log of every decision
// taken about releases, by an operator or by the analysis. Every gateway instance
// reads the same book (release-store.ts); changes are made as new books, compared
// by revision, so two gateways never take the same decision twice. Pure.
import type { Figures, Verdict } from './canary-analysis.ts';
import { type CanaryRelease, type Release, type Share, sharesOf } from './release.ts';

export type DecisionAction =
  | 'start'
  | 'hold'
  | 'promote'
  | 'complete'
  | 'roll-back'
  | 'switch'
  | 'switch-refused'
  | 'split'
  | 'clear';

/** One decision about a release, as logged, shown and counted. */
export interface Decision {
  at: string;
  service: string;
  release: string;
  kind: Release['kind'];
  action: DecisionAction;
  /** `analysis`, or the operator (`admin:<subject>`). */
  by: string;
  reason: string;
  /** Where traffic goes after the decision. */
  shares: Share[];
  canary?: Figures;
  baseline?: Figures;
}

export interface ReleaseBook {
  revision: number;
  releases: Record<string, Release>;
  /** Newest first, at most DECISIONS_KEPT. */
  decisions: Decision[];
}

export const DECISIONS_KEPT = 200;

export function emptyBook(): ReleaseBook {
  return { revision: 0, releases: {}, decisions: [] };
}

/** The book after `decision`, with `release` as the service's (undefined: none any more). */
export function withDecision(
  book: ReleaseBook,
  service: string,
  release: Release | undefined,
  decision: Decision,
): ReleaseBook {
  const releases = { ...book.releases };
  if (release) releases[service] = release;
  else delete releases[service];
  return {
    revision: book.revision + 1,
    releases,
    decisions: [decision, ...book.decisions].slice(0, DECISIONS_KEPT),
  };
}

/** A decision about `release` (its shares as they are after it). */
export function decisionOf(
  release: Release,
  action: DecisionAction,
  by: string,
  reason: string,
  now: number,
  figures: { canary?: Figures; baseline?: Figures } = {},
): Decision {
  return {
    at: new Date(now).toISOString(),
    service: release.service,
    release: release.id,
    kind: release.kind,
    action,
    by,
    reason,
    shares: sharesOf(release),
    ...figures,
  };
}

/** Which step's samples a canary's verdict reads: one set per release and step. */
export function stepKey(release: CanaryRelease): string {
  return `${release.id}:${release.step}`;
}

/**
 * The canary after a verdict, or undefined when nothing is to be recorded: still
 * waiting, or holding for the reason already logged in this step.
 */
export function afterVerdict(
  release: CanaryRelease,
  verdict: Verdict,
  now: number,
): CanaryRelease | undefined {
  switch (verdict.action) {
    case 'wait':
      return undefined;
    case 'hold': {
      if (release.held === verdict.waitingFor) return undefined;
      return { ...release, held: verdict.waitingFor ?? 'traffic' };
    }
    case 'promote': {
      const { held: _held, ...rest } = release;
      return { ...rest, step: release.step + 1, stepStartedAt: now };
    }
    case 'complete':
      return { ...release, state: 'complete' };
    case 'roll-back':
      return { ...release, state: 'rolled-back' };
  }
}

/** An operator's rollback: a canary back to its baseline, blue-green back to the other colour. */
export function rolledBack(release: Release): Release | undefined {
  switch (release.kind) {
    case 'canary':
      return release.state === 'rolled-back' ? undefined : { ...release, state: 'rolled-back' };
    case 'blue-green':
      return { ...release, live: release.live === 'blue' ? 'green' : 'blue' };
    case 'split':
      return undefined;
  }
}
