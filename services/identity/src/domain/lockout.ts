// Brute-force protection that cannot be turned against an account's owner: failures
// are counted per account and address, and an account as a whole is slowed, never
// locked. Why this and not a lock per account: docs/decisions/014-sign-in-throttling.md.
import { isIPv4, isIPv6 } from 'node:net';
import { backoffDelay } from '@platform/chassis/backoff';

/** Failures of one address on one account before that address has to wait. */
export const PAIR_FREE_FAILURES = 5;
/** The wait after the fifth failure; it doubles with each further one, up to the maximum. */
export const PAIR_FIRST_WAIT_MS = 60_000;
export const PAIR_MAX_WAIT_MS = 15 * 60_000;
/** How long an address's failures on an account are remembered (a sign-in forgets them). */
export const PAIR_MEMORY_MS = 24 * 3_600_000;
/** The window of the account's ceiling and of the address's limit across accounts. */
export const WINDOW_MS = 15 * 60_000;
/** Failures on one account, from all addresses together, before it slows down. */
export const ACCOUNT_CEILING = 20;
/** Failures from one address, on all accounts together, before it is refused (spraying). */
export const MAX_ADDRESS_FAILURES = 20;
/** The rules read no more than this many of the newest failures of each kind. */
export const FAILURES_CONSULTED = 20;

/** The failures an attempt is judged by; `now` is the database's clock, like theirs. */
export interface LoginHistory {
  /** This account from this address, since this address last signed in to it. */
  pair: Date[];
  /** This account, from every address. */
  account: Date[];
  /** This address, on every account. */
  address: Date[];
  now: number;
}

export type LockoutRule = 'pair' | 'account' | 'address';
export type LockoutDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; rule: LockoutRule };

/**
 * Whether a sign-in attempt may be checked. An address gets 5 failures on an account,
 * then waits 1, 2, 4, 8, then 15 minutes after each further one. An account with 20
 * failures in 15 minutes makes the addresses that already failed on it wait until it
 * cools down, while a first attempt from any other address (the owner's) is heard.
 * An address with 20 failures in 15 minutes, whatever the accounts, waits too.
 */
export function lockoutDecision(history: LoginHistory): LockoutDecision {
  const { now } = history;
  const pair = newestFirst(history.pair, now - PAIR_MEMORY_MS);
  const waits: Array<[LockoutRule, number]> = [
    ['pair', pairWait(pair, now)],
    // Only addresses that already failed on the account wait for it: the attacker's,
    // not the owner signing in from elsewhere.
    ['account', pair.length > 0 ? windowWait(history.account, ACCOUNT_CEILING, now) : 0],
    ['address', windowWait(history.address, MAX_ADDRESS_FAILURES, now)],
  ];
  const [rule, waitMs] = waits.reduce((longest, wait) => (wait[1] > longest[1] ? wait : longest));
  if (waitMs <= 0) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), rule };
}

function newestFirst(failures: Date[], since: number): number[] {
  return failures
    .map((at) => at.getTime())
    .filter((at) => at > since)
    .sort((a, b) => b - a);
}

function pairWait(newest: number[], now: number): number {
  const beyond = newest.length - PAIR_FREE_FAILURES;
  const last = newest[0];
  if (beyond < 0 || last === undefined) return 0;
  return (
    last + backoffDelay(beyond + 1, { baseDelayMs: PAIR_FIRST_WAIT_MS, maxDelayMs: PAIR_MAX_WAIT_MS }) - now
  );
}

/** Over `limit` failures in the window: the wait until the limit-th newest leaves it. */
function windowWait(failures: Date[], limit: number, now: number): number {
  const tipping = newestFirst(failures, now - WINDOW_MS)[limit - 1];
  return tipping === undefined ? 0 : tipping + WINDOW_MS - now;
}

/**
 * What failures are counted against: an IPv4 address, or an IPv6 /64, the block a
 * single host is usually given (counting each of its addresses would give it 2^64).
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
