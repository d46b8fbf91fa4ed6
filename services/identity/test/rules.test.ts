import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseEmail } from '../src/domain/email.ts';
import { lockoutDecision } from '../src/domain/lockout.ts';
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

test('lockout - the sixth attempt on an account within the window is refused until the oldest failure ages out', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  const minutesAgo = (m: number) => new Date(now - m * 60_000);
  const five = [14, 10, 6, 3, 1].map(minutesAgo);
  assert.deepEqual(lockoutDecision({ accountFailures: five.slice(1), ipFailures: [], now }), {
    allowed: true,
  });
  assert.deepEqual(lockoutDecision({ accountFailures: five, ipFailures: [], now }), {
    allowed: false,
    retryAfterSeconds: 60,
  });
});

test('lockout - twenty failures from one address lock it out, across accounts', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  const failures = Array.from({ length: 20 }, (_, i) => new Date(now - (i + 1) * 30_000));
  const decision = lockoutDecision({ accountFailures: [], ipFailures: failures, now });
  assert.deepEqual(decision, { allowed: false, retryAfterSeconds: 5 * 60 });
});

test('lockout - failures older than 15 minutes do not count', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  const old = Array.from({ length: 10 }, () => new Date(now - 16 * 60_000));
  assert.deepEqual(lockoutDecision({ accountFailures: old, ipFailures: old, now }), { allowed: true });
});
