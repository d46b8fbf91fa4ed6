import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryBudget } from '../../src/resilience/retry-budget.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('retries add at most the budget ratio to the load once the reserve is spent', () => {
  const time = clock();
  const budget = new RetryBudget({ ratio: 0.1, reservePerSecond: 0, capacity: 10, now: time.now });
  let retries = 0;
  // An upstream that fails everything: every request wants to retry.
  for (let i = 0; i < 1_000; i++) {
    budget.recordRequest();
    if (budget.tryRetry()) retries += 1;
  }
  // 10 from the initial reserve, then one per 10 requests.
  assert.ok(retries <= 10 + 100, `${retries} retries for 1000 requests`);
  assert.ok(retries >= 100, `${retries} retries: the budget still lets some through`);
});

test('the reserve refills over time for a quiet caller, up to its capacity', () => {
  const time = clock();
  const budget = new RetryBudget({ ratio: 0.1, reservePerSecond: 1, capacity: 3, now: time.now });
  assert.equal(budget.available, 3);
  assert.ok(budget.tryRetry() && budget.tryRetry() && budget.tryRetry());
  assert.equal(budget.tryRetry(), false);
  time.advance(1_000);
  assert.equal(budget.tryRetry(), true);
  assert.equal(budget.tryRetry(), false);
  time.advance(60_000);
  assert.equal(budget.available, 3, 'never more than its capacity');
});
