import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Breaker, BrokenCircuitError } from '../../src/resilience/breaker.ts';

const ok = async () => ({ failed: false, elapsedMs: 1 });
const failure = async () => ({ failed: true, elapsedMs: 1 });
const slow = async () => ({ failed: false, elapsedMs: 500 });

function breaker(overrides = {}) {
  return new Breaker({
    failureRateThreshold: 0.5,
    windowSize: 10,
    minimumCalls: 10,
    openMs: 150,
    halfOpenCalls: 2,
    slowCallMs: 400,
    ...overrides,
  });
}

async function run(subject: Breaker, calls: Array<() => Promise<{ failed: boolean; elapsedMs: number }>>) {
  for (const call of calls) await subject.execute(call);
}

describe('circuit breaker (Resilience4j semantics over cockatiel)', () => {
  test('decides nothing before the minimum number of calls, however many fail', async () => {
    const subject = breaker();
    await run(subject, Array(9).fill(failure));
    assert.equal(subject.state, 'closed');
  });

  test('stays closed below the failure-rate threshold', async () => {
    const subject = breaker();
    await run(subject, [...Array(6).fill(ok), ...Array(4).fill(failure)]);
    assert.equal(subject.state, 'closed');
    await run(subject, [...Array(6).fill(ok), ...Array(4).fill(slow)]);
    assert.equal(subject.state, 'closed');
  });

  test('opens when the failure rate over the window reaches the threshold', async () => {
    const subject = breaker();
    const transitions: string[] = [];
    subject.onStateChange = (to) => transitions.push(to);
    await run(subject, [...Array(5).fill(ok), ...Array(5).fill(failure)]);
    assert.equal(subject.state, 'open');
    assert.deepEqual(transitions, ['open']);
  });

  test('slow calls count against the circuit like failures', async () => {
    const subject = breaker();
    await run(subject, [...Array(5).fill(ok), ...Array(5).fill(slow)]);
    assert.equal(subject.state, 'open');
  });

  test('while open, calls fail fast without reaching the upstream, with a Retry-After', async () => {
    const subject = breaker({ openMs: 5_000 });
    await run(subject, Array(10).fill(failure));
    let reached = 0;
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      await assert.rejects(
        subject.execute(async () => {
          reached += 1;
          return ok();
        }),
        BrokenCircuitError,
      );
    }
    assert.equal(reached, 0);
    assert.ok(performance.now() - started < 1_000, 'rejections are immediate');
    assert.equal(subject.retryAfterSeconds(), 5);
  });

  test('half-open admits only the trial calls; the rest are refused at once', async () => {
    const subject = breaker();
    await run(subject, Array(10).fill(failure));
    await sleep(200);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const trial = async () => {
      await gate;
      return ok();
    };
    const trials = [subject.execute(trial), subject.execute(trial)];
    assert.equal(subject.state, 'half-open');
    await assert.rejects(subject.execute(ok), BrokenCircuitError);
    release();
    await Promise.all(trials);
    assert.equal(subject.state, 'closed');
  });

  test('closes when the trial calls succeed, and counts afresh', async () => {
    const subject = breaker();
    const transitions: string[] = [];
    subject.onStateChange = (to) => transitions.push(to);
    await run(subject, Array(10).fill(failure));
    await sleep(200);
    await run(subject, [ok, ok]);
    assert.equal(subject.state, 'closed');
    assert.deepEqual(transitions, ['open', 'half-open', 'closed']);
    await run(subject, Array(7).fill(failure));
    assert.equal(subject.state, 'closed', 'the old window does not carry over');
  });

  test('reopens when a trial call fails', async () => {
    const subject = breaker();
    const transitions: string[] = [];
    subject.onStateChange = (to) => transitions.push(to);
    await run(subject, Array(10).fill(failure));
    await sleep(200);
    await subject.execute(failure);
    assert.equal(subject.state, 'open');
    assert.deepEqual(transitions, ['open', 'half-open', 'open']);
    await assert.rejects(subject.execute(ok), BrokenCircuitError);
  });

  test('a thrown error counts as a failure and reaches the caller', async () => {
    const subject = breaker();
    for (let i = 0; i < 10; i++) {
      await assert.rejects(
        subject.execute(async () => {
          throw new Error('connection refused');
        }),
        /connection refused/,
      );
    }
    assert.equal(subject.state, 'open');
  });

  test('a trial the caller may abandon fails fast when it hangs, and its late outcome still decides', async () => {
    const subject = breaker({ halfOpenCalls: 1 });
    await run(subject, Array(10).fill(failure));
    await sleep(200);
    let answer: (outcome: { failed: boolean; elapsedMs: number }) => void = () => {};
    const hanging = () =>
      new Promise<{ failed: boolean; elapsedMs: number }>((resolve) => {
        answer = resolve;
      });
    const abandoned: unknown[] = [];
    const began = Date.now();
    await assert.rejects(
      subject.execute(hanging, { abandonAfterMs: 50, onAbandoned: (late) => abandoned.push(late) }),
      BrokenCircuitError,
    );
    assert.ok(Date.now() - began < 150, 'the caller is not kept waiting for the trial');
    assert.equal(subject.state, 'half-open', 'the trial goes on');
    await assert.rejects(subject.execute(ok), BrokenCircuitError, 'and is still counted among the trials');
    answer({ failed: true, elapsedMs: 5_000 });
    await sleep(10);
    assert.equal(subject.state, 'open', 'the hung trial failed: open again');
    assert.equal(abandoned.length, 1, 'whoever abandoned it hears its late outcome, to release it');

    await sleep(200);
    const quick = await subject.execute(ok, { abandonAfterMs: 50 });
    assert.deepEqual(quick, { failed: false, elapsedMs: 1 }, 'a trial that answers in time is answered');
    assert.equal(subject.state, 'closed');
  });
});
