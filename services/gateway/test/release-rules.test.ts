// The rules of version-aware routing, without a gateway: which version a caller gets,
// and what the canary analysis decides from a step's figures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  addSample,
  emptySamples,
  isVersionError,
  judgeStep,
  p99Ms,
  type Samples,
} from '../src/domain/canary-analysis.ts';
import {
  type CanaryRelease,
  DEFAULT_THRESHOLDS,
  routeOf,
  sharesOf,
  versionFor,
  whyStepsInvalid,
  whyWeightsInvalid,
} from '../src/domain/release.ts';
import { afterVerdict, rolledBack } from '../src/domain/release-book.ts';

const canaryAt = (percent: number) =>
  routeOf('catalog:r1', [
    { version: '2.0.0', percent },
    { version: '1.0.0', percent: 100 - percent },
  ]);

describe('release - weights and stickiness', () => {
  test('release - each version gets about its share of callers', () => {
    for (const percent of [5, 25, 50]) {
      const route = canaryAt(percent);
      let canary = 0;
      for (let i = 0; i < 20_000; i++) if (versionFor(route, `user-${i}`) === '2.0.0') canary++;
      const share = (canary / 20_000) * 100;
      assert.ok(Math.abs(share - percent) < 1.5, `${percent} %: got ${share.toFixed(2)} %`);
    }
  });

  test('release - one caller always gets the same version (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 100 }), (key, percent) => {
        const route = canaryAt(percent);
        assert.equal(versionFor(route, key), versionFor(canaryAt(percent), key));
      }),
    );
  });

  test('release - growing the canary keeps every caller it had (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (key, a, b) => {
          const [low, high] = a < b ? [a, b] : [b, a];
          if (versionFor(canaryAt(low), key) === '2.0.0')
            assert.equal(versionFor(canaryAt(high), key), '2.0.0');
        },
      ),
    );
  });

  test('release - 0 % sends nobody, 100 % everybody (property)', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        assert.equal(versionFor(canaryAt(0), key), '1.0.0');
        assert.equal(versionFor(canaryAt(100), key), '2.0.0');
      }),
    );
  });

  test('release - another release draws another cohort', () => {
    const half = [
      { version: '2.0.0', percent: 50 },
      { version: '1.0.0', percent: 50 },
    ];
    const [first, second] = [routeOf('catalog:r1', half), routeOf('catalog:r2', half)];
    let differ = 0;
    for (let i = 0; i < 2_000; i++) if (versionFor(first, `u${i}`) !== versionFor(second, `u${i}`)) differ++;
    assert.ok(differ > 800 && differ < 1_200, `${differ} of 2000 differ`);
  });

  test('release - steps increase to 100; split weights sum to 100', () => {
    assert.equal(whyStepsInvalid([5, 25, 50, 100]), undefined);
    assert.match(whyStepsInvalid([5, 5, 100]) ?? '', /larger/);
    assert.match(whyStepsInvalid([5, 50]) ?? '', /last must be 100/);
    assert.match(whyStepsInvalid([0, 100]) ?? '', /above 0/);
    assert.match(whyStepsInvalid([]) ?? '', /at least one/);
    assert.equal(whyWeightsInvalid({ '1.0.0': 90, '2.0.0': 10 }), undefined);
    assert.match(whyWeightsInvalid({ '1.0.0': 90, '2.0.0': 20 }) ?? '', /sum to 100, not 110/);
    assert.match(whyWeightsInvalid({ '1.0.0': -10, '2.0.0': 110 }) ?? '', /0 to 100/);
  });
});

const thresholds = { ...DEFAULT_THRESHOLDS, minRequests: 50, minErrors: 3 };

function canary(change: Partial<CanaryRelease> = {}): CanaryRelease {
  return {
    kind: 'canary',
    id: 'r1',
    service: 'catalog',
    baseline: '1.0.0',
    canary: '2.0.0',
    steps: [5, 25, 50, 100],
    step: 0,
    stepStartedAt: 0,
    stepSeconds: 60,
    thresholds,
    state: 'running',
    ...change,
  };
}

function samples(requests: number, errors: number, ms = 20, statusOfError = 503): Samples {
  const result = emptySamples();
  for (let i = 0; i < requests; i++) addSample(result, i < errors ? statusOfError : 200, ms);
  return result;
}

const after = (seconds: number) => seconds * 1_000;

describe('canary analysis - decisions', () => {
  test('canary analysis - healthy with enough requests after the step: promote, then complete at the last', () => {
    const figures = { canary: samples(60, 0), baseline: samples(1_000, 1) };
    assert.equal(judgeStep(canary(), figures, after(61)).action, 'promote');
    assert.equal(judgeStep(canary({ step: 3 }), figures, after(61)).action, 'complete');
  });

  test('canary analysis - before the step ends a healthy canary waits', () => {
    const verdict = judgeStep(canary(), { canary: samples(60, 0), baseline: samples(1_000, 0) }, after(30));
    assert.equal(verdict.action, 'wait');
  });

  test('canary analysis - too few requests hold the step, however long it lasts', () => {
    const verdict = judgeStep(canary(), { canary: samples(10, 0), baseline: samples(500, 0) }, after(600));
    assert.equal(verdict.action, 'hold');
    assert.match(verdict.reason, /insufficient traffic: 10 of 50/);
  });

  test('canary analysis - 5xx over the baseline roll back at once, before the step ends', () => {
    const verdict = judgeStep(canary(), { canary: samples(60, 6), baseline: samples(1_000, 2) }, after(5));
    assert.equal(verdict.action, 'roll-back');
    assert.match(verdict.reason, /error rate 10.00 %/);
    assert.equal(verdict.canary.errors, 6);
  });

  test('canary analysis - a 4xx is the caller’s: never an error of the canary', () => {
    assert.equal(isVersionError(404), false);
    assert.equal(isVersionError(429), false);
    assert.equal(isVersionError(500), true);
    assert.equal(isVersionError(undefined), true);
    const notFound = samples(60, 30, 20, 404);
    assert.equal(notFound.errors, 0);
    assert.equal(
      judgeStep(canary(), { canary: notFound, baseline: samples(500, 0) }, after(61)).action,
      'promote',
    );
  });

  test('canary analysis - one or two errors are too few to judge a rate: hold, not roll back', () => {
    const verdict = judgeStep(canary(), { canary: samples(60, 2), baseline: samples(500, 0) }, after(61));
    assert.equal(verdict.action, 'hold');
    assert.equal(verdict.waitingFor, 'errors');
  });

  test('canary analysis - a p99 far over the baseline rolls back', () => {
    const slow = samples(60, 0, 900);
    const verdict = judgeStep(canary(), { canary: slow, baseline: samples(500, 0, 20) }, after(10));
    assert.equal(verdict.action, 'roll-back');
    assert.match(verdict.reason, /p99 1000 ms over 75 ms/);
  });

  test('canary analysis - without baseline traffic (100 %) the absolute limits judge', () => {
    const last = canary({ step: 3 });
    assert.equal(
      judgeStep(last, { canary: samples(100, 0, 40), baseline: emptySamples() }, after(61)).action,
      'complete',
    );
    const failing = judgeStep(last, { canary: samples(100, 5), baseline: emptySamples() }, after(1));
    assert.equal(failing.action, 'roll-back');
    assert.match(failing.reason, /absolute limit/);
  });

  test('canary analysis - p99 is the bound of the bucket holding the 99th percentile', () => {
    const mixed = samples(99, 0, 20);
    addSample(mixed, 200, 4_000);
    assert.equal(p99Ms(mixed), 25);
    addSample(mixed, 200, 4_000);
    assert.equal(p99Ms(mixed), 5_000);
    assert.equal(p99Ms(emptySamples()), undefined);
  });

  test('canary analysis - a call its version refused (circuit open) is an error with no latency', () => {
    const refused = samples(100, 0, 20);
    for (let i = 0; i < 50; i++) addSample(refused, undefined);
    assert.equal(refused.requests, 150);
    assert.equal(refused.errors, 50);
    assert.equal(p99Ms(refused), 25, 'the p99 of the calls it answered, not pulled down by refusals');
    const onlyRefused = emptySamples();
    addSample(onlyRefused, undefined);
    assert.equal(p99Ms(onlyRefused), undefined);
  });
});

describe('release book - transitions', () => {
  test('release book - a hold is recorded once per reason and step; a promotion starts the next step', () => {
    const release = canary();
    const hold = judgeStep(release, { canary: samples(1, 0), baseline: samples(1, 0) }, after(61));
    const held = afterVerdict(release, hold, after(61));
    assert.equal(held?.held, 'traffic');
    assert.equal(held && afterVerdict(held, hold, after(62)), undefined);
    const promote = judgeStep(release, { canary: samples(60, 0), baseline: samples(500, 0) }, after(70));
    const next = held && afterVerdict(held, promote, after(70));
    assert.deepEqual([next?.step, next?.stepStartedAt, next?.held], [1, after(70), undefined]);
    assert.deepEqual(next && sharesOf(next), [
      { version: '2.0.0', percent: 25 },
      { version: '1.0.0', percent: 75 },
    ]);
  });

  test('release book - a rollback sends everyone to the baseline, or back to the other colour', () => {
    const back = rolledBack(canary({ step: 2 }));
    assert.deepEqual(back && sharesOf(back), [{ version: '1.0.0', percent: 100 }]);
    const colours = {
      kind: 'blue-green',
      id: 'r2',
      service: 'catalog',
      blue: '1.0.0',
      green: '2.0.0',
      live: 'green',
    } as const;
    const switched = rolledBack(colours);
    assert.deepEqual(switched && sharesOf(switched), [{ version: '1.0.0', percent: 100 }]);
  });
});
