import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartPolicy } from '../src/backoff.ts';

test('restarts - the first crash restarts after the base delay, then the delay doubles', () => {
  const policy = new RestartPolicy({ baseMs: 500, maxMs: 8_000, stableAfterMs: 30_000 });
  assert.equal(policy.nextDelay({ ranForMs: 1_000 }), 500);
  assert.equal(policy.nextDelay({ ranForMs: 1_000 }), 1_000);
  assert.equal(policy.nextDelay({ ranForMs: 1_000 }), 2_000);
  assert.equal(policy.nextDelay({ ranForMs: 1_000 }), 4_000);
});

test('restarts - the delay never exceeds the cap', () => {
  const policy = new RestartPolicy({ baseMs: 500, maxMs: 3_000, stableAfterMs: 30_000 });
  const delays = Array.from({ length: 8 }, () => policy.nextDelay({ ranForMs: 10 }));
  assert.deepEqual(delays, [500, 1_000, 2_000, 3_000, 3_000, 3_000, 3_000, 3_000]);
});

test('restarts - a process that ran stably before crashing starts over at the base delay', () => {
  const policy = new RestartPolicy({ baseMs: 500, maxMs: 8_000, stableAfterMs: 30_000 });
  policy.nextDelay({ ranForMs: 10 });
  policy.nextDelay({ ranForMs: 10 });
  assert.equal(policy.nextDelay({ ranForMs: 60_000 }), 500);
  assert.equal(policy.nextDelay({ ranForMs: 10 }), 1_000);
});

test('restarts - the crash count is reported for the log', () => {
  const policy = new RestartPolicy({ baseMs: 100, maxMs: 1_000, stableAfterMs: 1_000 });
  policy.nextDelay({ ranForMs: 5 });
  policy.nextDelay({ ranForMs: 5 });
  assert.equal(policy.consecutiveCrashes, 2);
});
