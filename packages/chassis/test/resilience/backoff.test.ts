import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, jittered } from '../../src/resilience/backoff.ts';

const backoff = { baseDelayMs: 100, maxDelayMs: 1_000 };

test('backoff - the first retry waits the base delay, and each next one twice the last', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, backoff)),
    [100, 200, 400, 800],
  );
});

test('backoff - the delay never passes the cap, however many attempts', () => {
  assert.equal(backoffDelay(5, backoff), 1_000);
  assert.equal(backoffDelay(1_100, backoff), 1_000, 'past 2^1024: a number, not Infinity');
  assert.equal(backoffDelay(Number.MAX_SAFE_INTEGER, backoff), 1_000);
});

test('backoff - an attempt count below one (a counter not yet started) waits the base delay', () => {
  assert.equal(backoffDelay(0, backoff), 100);
  assert.equal(backoffDelay(-3, backoff), 100);
});

test('backoff - a cap below the base delay wins', () => {
  assert.equal(backoffDelay(1, { baseDelayMs: 500, maxDelayMs: 200 }), 200);
});

test('backoff - full jitter draws anywhere from nothing up to the delay', () => {
  assert.equal(jittered(800, 'full', 0), 0);
  assert.equal(jittered(800, 'full', 0.5), 400);
  assert.ok(jittered(800, 'full', 0.999_999) < 800);
});

test('backoff - equal jitter keeps half the delay and draws the other half', () => {
  assert.equal(jittered(800, 'equal', 0), 400);
  assert.equal(jittered(800, 'equal', 0.5), 600);
  assert.ok(jittered(800, 'equal', 0.999_999) < 800);
});

test('backoff - jitter draws from Math.random when given no number', () => {
  const draws = Array.from({ length: 50 }, () => jittered(1_000, 'full'));
  assert.ok(draws.every((delay) => delay >= 0 && delay < 1_000));
  assert.ok(new Set(draws).size > 1, 'not one fixed delay');
});
