import { backoffDelay } from '../resilience/backoff.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 30_000 };

export type RedeliveryPlan = { action: 'retry'; delayMs: number } | { action: 'dead-letter' };

/** What to do after attempt number `attempt` (1-based) of a message failed. */
export function redeliveryPlan(attempt: number, policy: RetryPolicy): RedeliveryPlan {
  if (attempt >= policy.maxAttempts) return { action: 'dead-letter' };
  return { action: 'retry', delayMs: backoffDelay(attempt, policy) };
}
