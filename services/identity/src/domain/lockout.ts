export const LOCKOUT_WINDOW_MS = 15 * 60_000;
export const MAX_ACCOUNT_FAILURES = 5;
export const MAX_ADDRESS_FAILURES = 20;

export type LockoutDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Whether another login attempt may be tried: not after 5 failures for the account,
 * or 20 from the address, within 15 minutes. Retry-After is when the failure that
 * tips the limit leaves the window.
 */
export function lockoutDecision(input: {
  accountFailures: Date[];
  ipFailures: Date[];
  now: number;
}): LockoutDecision {
  const since = input.now - LOCKOUT_WINDOW_MS;
  const waits: number[] = [];
  for (const [failures, limit] of [
    [input.accountFailures, MAX_ACCOUNT_FAILURES],
    [input.ipFailures, MAX_ADDRESS_FAILURES],
  ] as const) {
    const recent = failures
      .map((at) => at.getTime())
      .filter((at) => at > since)
      .sort((a, b) => b - a);
    if (recent.length >= limit) {
      // The limit is reached until the limit-th most recent failure leaves the window.
      const tipping = recent[limit - 1] ?? input.now;
      waits.push(Math.max(1, Math.ceil((tipping + LOCKOUT_WINDOW_MS - input.now) / 1000)));
    }
  }
  return waits.length === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(...waits) };
}
