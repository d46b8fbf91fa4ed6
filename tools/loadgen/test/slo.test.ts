import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SLO,
  exitCodeFor,
  type Figures,
  judge,
  loadSlo,
  type Measured,
  parseSlo,
  SloError,
} from '../src/slo.ts';

const figures = (p99: number, errors = 0, requests = 10_000): Figures => ({
  requests,
  answered: requests,
  errors,
  p50: p99 / 4,
  p90: p99 / 2,
  p99,
  'p99.9': p99 * 1.5,
  max: p99 * 2,
});
const measured = (over: Partial<Measured> = {}): Measured => ({
  overall: figures(50),
  classes: { search: figures(50), checkout: figures(300) },
  targetRate: 1_200,
  achievedRate: 1_190,
  ...over,
});
const one = (objective: unknown, values: Measured) => {
  const [verdict] = judge(parseSlo({ objectives: [objective] }), values);
  assert.ok(verdict);
  return verdict;
};

test('slo - latency: met below the objective, at risk up to the alert threshold, breached past it', () => {
  const p99 = { name: 'p99', metric: 'p99', objective: 200, alert: 500 };
  const verdictAt = (ms: number) => one(p99, measured({ overall: figures(ms) })).verdict;
  assert.equal(verdictAt(199.9), 'met');
  assert.equal(verdictAt(200), 'at-risk', 'the objective is "below 200"');
  assert.equal(verdictAt(500), 'at-risk', 'the alert fires "above 500"');
  assert.equal(verdictAt(500.1), 'breached');
  assert.match(one(p99, measured({ overall: figures(300) })).reason, /300 ms.*200 ms.*500 ms/);
});

test('slo - error rate in percent of every ticket of the window', () => {
  const errors = { name: 'errors', metric: 'error-rate', objective: 0.1, alert: 1 };
  const verdictAt = (count: number) => one(errors, measured({ overall: figures(50, count, 10_000) }));
  assert.equal(verdictAt(9).verdict, 'met');
  assert.equal(verdictAt(10).verdict, 'at-risk');
  assert.equal(verdictAt(100).verdict, 'at-risk');
  assert.equal(verdictAt(101).verdict, 'breached');
  assert.equal(verdictAt(101).value, 1.01);
});

test('slo - throughput: judged on the achieved rate when the run targets at least the objective', () => {
  const throughput = { name: 'throughput', metric: 'throughput', objective: 1000, alert: 500 };
  const verdictAt = (achievedRate: number) =>
    one(throughput, measured({ targetRate: 1_200, achievedRate })).verdict;
  assert.equal(verdictAt(1000.5), 'met');
  assert.equal(verdictAt(1000), 'at-risk');
  assert.equal(verdictAt(500), 'at-risk');
  assert.equal(verdictAt(499), 'breached');
});

test('slo - throughput of a run aimed below the objective is skipped, and says why', () => {
  const throughput = { name: 'throughput', metric: 'throughput', objective: 1000, alert: 500 };
  const slow = one(throughput, measured({ targetRate: 50, achievedRate: 50 }));
  assert.equal(slow.verdict, 'skipped');
  assert.match(slow.reason, /targeted 50 req\/s.*below the objective's 1000/);
  // Aimed between the alert threshold and the objective: it cannot be met, but falling
  // under the alert threshold is still a breach.
  assert.equal(one(throughput, measured({ targetRate: 800, achievedRate: 790 })).verdict, 'skipped');
  assert.equal(one(throughput, measured({ targetRate: 800, achievedRate: 450 })).verdict, 'breached');
});

test('slo - an objective for one route class judges that class, or is skipped when it did not run', () => {
  const checkout = { name: 'checkout p99', metric: 'p99', class: 'checkout', objective: 250, alert: 1000 };
  assert.equal(one(checkout, measured()).verdict, 'at-risk');
  const signIn = { ...checkout, class: 'sign-in' };
  const skipped = one(signIn, measured());
  assert.equal(skipped.verdict, 'skipped');
  assert.match(skipped.reason, /no sign-in request/);
});

test('slo - a run in which nothing was answered cannot meet a latency objective', () => {
  const p99 = { name: 'p99', metric: 'p99', objective: 200, alert: 500 };
  const verdict = one(p99, measured({ overall: { ...figures(0, 500, 500), answered: 0 } }));
  assert.equal(verdict.verdict, 'breached');
  assert.match(verdict.reason, /nothing was answered/);
});

test('slo - exit code: 1 when any objective is breached, else 0', () => {
  const slo = loadSlo(DEFAULT_SLO);
  assert.equal(exitCodeFor(judge(slo, measured())), 0);
  assert.equal(exitCodeFor(judge(slo, measured({ overall: figures(900) }))), 1);
  assert.equal(exitCodeFor(judge(slo, measured({ overall: figures(300), targetRate: 50 }))), 0, 'at risk');
});

test('slo - the default file holds the guides thresholds', () => {
  const slo = loadSlo(DEFAULT_SLO);
  assert.deepEqual(
    slo.objectives.map(({ metric, objective, alert }) => [metric, objective, alert]),
    [
      ['p99', 200, 500],
      ['error-rate', 0.1, 1],
      ['throughput', 1000, 500],
    ],
  );
});

for (const [label, objective, message] of [
  ['unknown metric', { name: 'x', metric: 'p95', objective: 1, alert: 2 }, /metric must be one of/],
  [
    'alert below a latency objective',
    { name: 'x', metric: 'p99', objective: 200, alert: 100 },
    /alert must be at least the objective/,
  ],
  [
    'alert above a throughput objective',
    { name: 'x', metric: 'throughput', objective: 100, alert: 200 },
    /alert must be at most the objective/,
  ],
  [
    'unknown class',
    { name: 'x', metric: 'p99', class: 'basket', objective: 1, alert: 2 },
    /class must be one of/,
  ],
  ['no number', { name: 'x', metric: 'p99', objective: '200', alert: 500 }, /objective must be a number/],
] as const) {
  test(`slo - a bad SLO file is refused: ${label}`, () => {
    assert.throws(
      () => parseSlo({ objectives: [objective] }),
      (error: Error) => {
        assert.ok(error instanceof SloError);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}
