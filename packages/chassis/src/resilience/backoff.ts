// The platform's one exponential backoff: every retry, redelivery, restart, ejection
// and lockout that waits longer after each failure computes its wait here, with one of
// two jitters where many callers failing together must not come back together.

export interface Backoff {
  /** The wait before the first retry. */
  baseDelayMs: number;
  /** No wait is longer. */
  maxDelayMs: number;
}

/**
 * The wait before retry number `attempt` (1-based: after the first failure):
 * `baseDelayMs`, doubled at each further attempt, at most `maxDelayMs`. Attempt counts
 * below one wait `baseDelayMs`; any count, however large, gives a finite wait.
 */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const doublings = Math.min(Math.max(attempt, 1) - 1, 52);
  return Math.min(backoff.baseDelayMs * 2 ** doublings, backoff.maxDelayMs);
}

/**
 * `delayMs` spread out so that callers that failed together retry apart: `full` draws
 * the whole wait (from nothing up to `delayMs`: the widest spread, for clients of a
 * shared server); `equal` keeps half and draws the other half (never sooner than half,
 * for work that must not come back at once). `random` is a draw in [0, 1).
 */
export function jittered(delayMs: number, jitter: 'full' | 'equal', random: number = Math.random()): number {
  return jitter === 'full' ? delayMs * random : delayMs / 2 + (delayMs / 2) * random;
}
