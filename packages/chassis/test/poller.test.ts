import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, startPoller } from '../src/index.ts';

const log = createLogger({ service: 'poller-test', instance: 'test', level: 'silent' });

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(2);
  }
}

test('poller - runs at once, then after each pause; a full batch runs again at once; a failure waits for the next', async () => {
  const runs: number[] = [];
  const started = Date.now();
  let answers = [true, false, 'fail', false];
  const poller = startPoller({
    intervalMs: 80,
    log,
    what: 'test work',
    async work() {
      runs.push(Date.now() - started);
      const answer = answers[0] ?? false;
      answers = answers.slice(1);
      if (answer === 'fail') throw new Error('broken run');
      return answer === true;
    },
  });
  await until(() => runs.length === 3);
  await poller.stop();
  // At once, again at once (full batch), then the failure and one more after the pause.
  assert.equal(runs.length, 3);
  assert.ok((runs[1] ?? 0) < 40, `second run at ${runs[1]} ms`);
  assert.ok((runs[2] ?? 0) >= 75, `third run at ${runs[2]} ms`);
});

test('poller - woken or woken sooner it runs then, never two runs at once; stop waits for the run under way', async () => {
  let inside = 0;
  let most = 0;
  let runs = 0;
  const poller = startPoller({
    intervalMs: 10_000,
    log,
    what: 'test work',
    async work() {
      inside += 1;
      most = Math.max(most, inside);
      runs += 1;
      await sleep(60);
      inside -= 1;
      return false;
    },
  });
  poller.wake();
  poller.wake();
  await until(() => runs === 2 && inside === 0);
  await sleep(20);
  assert.equal(runs, 2, 'the first, and one more for the wake-ups during it');
  poller.wakeIn(5_000);
  poller.wakeIn(20);
  await until(() => runs === 3);
  const stopping = poller.stop();
  assert.equal(inside, 1);
  await stopping;
  assert.equal(inside, 0);
  assert.equal(most, 1);
});
