import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseEmail } from '../src/domain/email.ts';
import { addressKey, type LoginHistory, lockoutDecision } from '../src/domain/lockout.ts';
import { passwordProblem } from '../src/domain/password-policy.ts';

test('passwords - at least 10 characters', () => {
  assert.equal(passwordProblem('short1!', 'a@b.co'), 'must be at least 10 characters');
  assert.equal(passwordProblem('long enough pass', 'a@b.co'), undefined);
});

test('passwords - common passwords are refused, whatever their case', () => {
  assert.equal(passwordProblem('password123', 'a@b.co'), 'is one of the most common passwords');
  assert.equal(passwordProblem('QWERTYUIOP', 'a@b.co'), 'is one of the most common passwords');
});

test('passwords - the email address is not a password', () => {
  assert.equal(
    passwordProblem('ada.lovelace@example.com', 'ada.lovelace@example.com'),
    'must not contain the email address',
  );
});

test('passwords - very long passwords are refused (hashing cost)', () => {
  assert.equal(passwordProblem('x'.repeat(257), 'a@b.co'), 'must be at most 256 characters');
});

test('email - trimmed and lower-cased, so one person has one account', () => {
  assert.equal(normaliseEmail('  Ada.Lovelace@Example.COM '), 'ada.lovelace@example.com');
});

const now = Date.parse('2026-11-22T10:00:00Z');
const minutesAgo = (...minutes: number[]) => minutes.map((m) => new Date(now - m * 60_000));
const history = (parts: Partial<LoginHistory>): LoginHistory => ({
  pair: [],
  account: [],
  address: [],
  now,
  ...parts,
});

test('lockout - five failures from one address are free; then that address waits a minute after the last', () => {
  const four = minutesAgo(14, 10, 6, 3);
  assert.deepEqual(lockoutDecision(history({ pair: four, account: four, address: four })), { allowed: true });
  const five = minutesAgo(14, 10, 6, 3, 0.5);
  assert.deepEqual(lockoutDecision(history({ pair: five, account: five, address: five })), {
    allowed: false,
    retryAfterSeconds: 30,
    rule: 'pair',
  });
  const waited = minutesAgo(14, 10, 6, 3, 1);
  assert.deepEqual(lockoutDecision(history({ pair: waited, account: waited, address: waited })), {
    allowed: true,
  });
});

test('lockout - each further failure from that address doubles its wait, up to 15 minutes', () => {
  const waitAfter = (failures: number) => {
    const pair = Array.from({ length: failures }, () => new Date(now));
    const decision = lockoutDecision(history({ pair }));
    return decision.allowed ? 0 : decision.retryAfterSeconds / 60;
  };
  assert.deepEqual([5, 6, 7, 8, 9, 12].map(waitAfter), [1, 2, 4, 8, 15, 15]);
});

test('lockout - an address remembers its failures on an account for a day, unless it signs in', () => {
  // Five failures spread over the day still count: a slow guesser keeps waiting.
  const pair = minutesAgo(23 * 60, 12 * 60, 6 * 60, 60, 0.5);
  assert.equal(lockoutDecision(history({ pair })).allowed, false);
  const older = minutesAgo(25 * 60, 12 * 60, 6 * 60, 60, 0.5);
  assert.equal(lockoutDecision(history({ pair: older })).allowed, true);
});

test("lockout - other addresses' failures on an account never refuse an address that has not failed on it", () => {
  // The denial of service: anyone who knows the e-mail fails from elsewhere, as often as they like.
  const account = Array.from({ length: 200 }, (_, i) => new Date(now - i * 1_000));
  assert.deepEqual(lockoutDecision(history({ account })), { allowed: true });
});

test('lockout - above its ceiling an account slows the addresses that already failed on it until it cools', () => {
  const account = Array.from({ length: 20 }, (_, i) => new Date(now - (i + 1) * 30_000));
  // One earlier failure from this address: it waits until the account is below 20 failures in 15 minutes.
  assert.deepEqual(lockoutDecision(history({ account, pair: minutesAgo(2) })), {
    allowed: false,
    retryAfterSeconds: 5 * 60,
    rule: 'account',
  });
  assert.deepEqual(lockoutDecision(history({ account: account.slice(1), pair: minutesAgo(2) })), {
    allowed: true,
  });
  // An address that failed on it yesterday is still one that failed on it.
  assert.equal(lockoutDecision(history({ account, pair: minutesAgo(20 * 60) })).allowed, false);
});

test('lockout - twenty failures from one address refuse it on every account (password spraying)', () => {
  const address = Array.from({ length: 20 }, (_, i) => new Date(now - (i + 1) * 30_000));
  assert.deepEqual(lockoutDecision(history({ address })), {
    allowed: false,
    retryAfterSeconds: 5 * 60,
    rule: 'address',
  });
});

test('lockout - account and address failures older than 15 minutes do not count', () => {
  const old = Array.from({ length: 30 }, () => new Date(now - 16 * 60_000));
  assert.deepEqual(lockoutDecision(history({ account: old, address: old, pair: minutesAgo(1) })), {
    allowed: true,
  });
});

test('lockout - the longest of the waits is the one reported', () => {
  const address = Array.from({ length: 20 }, (_, i) => new Date(now - (i + 1) * 30_000));
  const pair = Array.from({ length: 9 }, () => new Date(now));
  assert.deepEqual(lockoutDecision(history({ address, pair })), {
    allowed: false,
    retryAfterSeconds: 15 * 60,
    rule: 'pair',
  });
});

test('lockout - addresses are counted per IPv4 address and per IPv6 /64 (one host holds a whole /64)', () => {
  assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'));
});
