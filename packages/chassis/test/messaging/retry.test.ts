import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redeliveryPlan } from '../../src/messaging/retry.ts';

const policy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

test('retry - a failed attempt is retried after a delay that doubles each time', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => redeliveryPlan(attempt, policy)),
    [
      { action: 'retry', delayMs: 200 },
      { action: 'retry', delayMs: 400 },
      { action: 'retry', delayMs: 800 },
      { action: 'retry', delayMs: 1_600 },
    ],
  );
});

test('retry - the last allowed attempt failing sends the message to dead letters', () => {
  assert.deepEqual(redeliveryPlan(5, policy), { action: 'dead-letter' });
  assert.deepEqual(
    redeliveryPlan(9, policy),
    { action: 'dead-letter' },
    'redelivered past the limit: still dead',
  );
});

test('retry - the delay is capped', () => {
  assert.deepEqual(redeliveryPlan(9, { ...policy, maxAttempts: 20 }), { action: 'retry', delayMs: 5_000 });
});

test('retry - one attempt allowed means no retry at all', () => {
  assert.deepEqual(redeliveryPlan(1, { ...policy, maxAttempts: 1 }), { action: 'dead-letter' });
});
