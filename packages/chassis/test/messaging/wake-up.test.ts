import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wakeUp } from '../../src/messaging/wake-up.ts';

const timed = async (work: () => Promise<void>) => {
  const began = performance.now();
  await work();
  return performance.now() - began;
};

test('wake-up - a wake-up ends the sleep under way', async () => {
  const woken = wakeUp();
  setTimeout(() => woken.wake(), 20);
  assert.ok((await timed(() => woken.sleep(5_000))) < 2_000, 'ended long before its 5 s');
  assert.equal(woken.signalled, true);
});

test('wake-up - one that came while awake keeps the next sleep from beginning, until reset', async () => {
  const woken = wakeUp();
  woken.wake();
  assert.ok((await timed(() => woken.sleep(5_000))) < 2_000, 'not slept');
  woken.reset();
  assert.equal(woken.signalled, false);
  assert.ok((await timed(() => woken.sleep(60))) >= 50, 'after reset it sleeps its time');
});

test('wake-up - a wake-up after a sleep ended on its own is kept for the next', async () => {
  const woken = wakeUp();
  await woken.sleep(5);
  woken.wake();
  assert.ok((await timed(() => woken.sleep(5_000))) < 2_000);
});
