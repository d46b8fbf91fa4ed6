// The release book's two stores behave alike: a write only over the revision it read,
// and each step's figures added up from every gateway.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { addSample, emptySamples, type StepSamples } from '../src/domain/canary-analysis.ts';
import { type Decision, emptyBook, withDecision } from '../src/domain/release-book.ts';
import { memoryReleaseStore, type ReleaseStore, redisReleaseStore } from '../src/release-store.ts';
import { redisUrl, withRedis } from './redis.ts';

const decision: Decision = {
  at: new Date(0).toISOString(),
  service: 'catalog',
  release: 'r1',
  kind: 'split',
  action: 'split',
  by: 'test',
  reason: 'test',
  shares: [],
};
const release = { kind: 'split', id: 'r1', service: 'catalog', weights: { '1.0.0': 100 } } as const;

function figures(canary: number[], baseline: number[]): StepSamples {
  const step = { canary: emptySamples(), baseline: emptySamples() };
  for (const status of canary) addSample(step.canary, status, 20);
  for (const status of baseline) addSample(step.baseline, status, 200);
  return step;
}

function conformance(name: string, open: () => ReleaseStore) {
  describe(`release store - ${name}`, () => {
    test(`release store (${name}) - a write lands only over the revision it read`, async () => {
      const store = open();
      const empty = await store.read();
      assert.equal(empty.revision, 0);
      const next = withDecision(emptyBook(), 'catalog', { ...release }, decision);
      assert.equal(await store.write(next, 0), true);
      assert.equal(await store.write(withDecision(emptyBook(), 'cart', undefined, decision), 0), false);
      assert.deepEqual(await store.read(), next);
    });

    test(`release store (${name}) - each gateway's figures add up per step`, async () => {
      const store = open();
      await store.addSamples('r1:0', figures([200, 503], [200]));
      await store.addSamples('r1:0', figures([404], [500, 200]));
      await store.addSamples('r1:1', figures([200], []));
      const step = await store.samples('r1:0');
      assert.deepEqual([step.canary.requests, step.canary.errors], [3, 1]);
      assert.deepEqual([step.baseline.requests, step.baseline.errors], [3, 1]);
      assert.equal(
        step.baseline.buckets.reduce((sum, count) => sum + count, 0),
        3,
      );
      assert.equal((await store.samples('r1:1')).canary.requests, 1);
      assert.equal((await store.samples('r2:0')).canary.requests, 0);
    });
  });
}

conformance('memory', memoryReleaseStore);

await withRedis('release store - shared through Redis', () => {
  const redis = new Redis(redisUrl);
  const prefixes: string[] = [];
  after(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });
  conformance('redis', () => {
    const prefix = `test:releases:${randomUUID()}`;
    prefixes.push(prefix);
    return redisReleaseStore(redis, prefix);
  });
});
