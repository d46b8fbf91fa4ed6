import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Bucket, take } from '../src/domain/token-bucket.ts';

const policy = { capacity: 3, refillPerSecond: 1 };
const start = 1_000_000;

test('rate limit - a new caller has a full bucket and spends one token per request', () => {
  const first = take(undefined, policy, start);
  assert.deepEqual(first.decision, { allowed: true, limit: 3, remaining: 2, resetSeconds: 1 });
  const second = take(first.bucket, policy, start);
  assert.equal(second.decision.remaining, 1);
});

test('rate limit - an empty bucket refuses, saying when the next token arrives', () => {
  let bucket: Bucket | undefined;
  for (let i = 0; i < 3; i++) bucket = take(bucket, policy, start).bucket;
  const refused = take(bucket, policy, start + 250);
  assert.deepEqual(refused.decision, {
    allowed: false,
    limit: 3,
    remaining: 0,
    resetSeconds: 3,
    retryAfterSeconds: 1,
  });
});

test('rate limit - tokens come back over time, never beyond the capacity', () => {
  let bucket: Bucket | undefined;
  for (let i = 0; i < 3; i++) bucket = take(bucket, policy, start).bucket;
  const later = take(bucket, policy, start + 2_000);
  assert.equal(later.decision.allowed, true);
  assert.equal(later.decision.remaining, 1, 'two refilled, one spent');
  const muchLater = take(later.bucket, policy, start + 60_000);
  assert.equal(muchLater.decision.remaining, 2, 'capped at capacity, minus this request');
});

test('rate limit - a refused request spends nothing', () => {
  let bucket: Bucket | undefined;
  for (let i = 0; i < 3; i++) bucket = take(bucket, policy, start).bucket;
  const refused = take(bucket, policy, start + 100);
  const refusedAgain = take(refused.bucket, policy, start + 1_000);
  assert.equal(
    refusedAgain.decision.allowed,
    true,
    'one token refilled after a second, none lost to refusals',
  );
});
