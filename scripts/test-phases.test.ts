import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSUMER_PACTS, CONTRACT_PATTERNS, phases } from './test-phases.ts';

const defaults = ['packages/*/test/**/*.test.ts'];
const select = (patterns: string[], contractsOnly = false) => phases({ patterns, contractsOnly, defaults });

test('test phases - the whole run writes every pact before any suite that may verify one', () => {
  assert.deepEqual(select([]), [CONSUMER_PACTS, defaults]);
  assert.deepEqual(select([], true), [CONSUMER_PACTS, CONTRACT_PATTERNS]);
});

test('test phases - a pattern that may reach a verification brings every consumer pact first', () => {
  const provider = 'services/catalog/test/pacts/provider.test.ts';
  assert.deepEqual(select([provider]), [CONSUMER_PACTS, [provider]]);
  assert.deepEqual(select(['services/gateway/test/**/*.test.ts']), [
    CONSUMER_PACTS,
    ['services/gateway/test/**/*.test.ts'],
  ]);
});

test('test phases - a consumer pact named alone runs alone; other suites run as asked, with no pact', () => {
  const consumer = 'services/cart/test/pacts/catalog.consumer.pact.ts';
  assert.deepEqual(select([consumer]), [[consumer]]);
  assert.deepEqual(select(['services/catalog/test/*.test.ts']), [['services/catalog/test/*.test.ts']]);
  assert.deepEqual(select([consumer, 'services/catalog/test/*.test.ts']), [
    [consumer],
    ['services/catalog/test/*.test.ts'],
  ]);
});
