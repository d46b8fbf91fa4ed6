import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gathered } from '@platform/chassis';

/** A gatherer whose every application is recorded, and held until `release` is called. */
function recording(max?: number) {
  const groups: number[][] = [];
  const gates: Array<() => void> = [];
  const apply = gathered(
    async (items: number[]) => {
      groups.push(items);
      await new Promise<void>((resolve) => gates.push(resolve));
      if (items.includes(13)) throw new Error('thirteen');
      return items.map((item) => item * 10);
    },
    max === undefined ? {} : { max },
  );
  const release = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
  };
  return { apply, groups, release };
}

test('gathered - calls made in one turn are applied as one group, each answered its own result', async () => {
  const { apply, groups, release } = recording();
  const answers = Promise.all([apply(1), apply(2), apply(3)]);
  await release();
  assert.deepEqual(await answers, [10, 20, 30]);
  assert.deepEqual(groups, [[1, 2, 3]]);
});

test('gathered - calls made while a group is applied wait and go together in the next, never two at once', async () => {
  const { apply, groups, release } = recording();
  const first = apply(1);
  await new Promise((resolve) => setImmediate(resolve));
  const later = [apply(2), apply(3)];
  await new Promise((resolve) => setTimeout(resolve, 10));
  later.push(apply(4));
  assert.deepEqual(groups, [[1]], 'the next group waits for the one under way');
  await release();
  assert.equal(await first, 10);
  await release();
  assert.deepEqual(await Promise.all(later), [20, 30, 40]);
  assert.deepEqual(groups, [[1], [2, 3, 4]]);
});

test('gathered - a group is at most `max` calls; the rest go in the next', async () => {
  const { apply, groups, release } = recording(2);
  const answers = Promise.all([apply(1), apply(2), apply(3)]);
  await release();
  await release();
  assert.deepEqual(await answers, [10, 20, 30]);
  assert.deepEqual(groups, [[1, 2], [3]]);
});

test('gathered - a failing group fails each of its calls, and the next group is applied as usual', async () => {
  const { apply, groups, release } = recording();
  const failing = [apply(12), apply(13)].map((answer) =>
    answer.then(
      () => 'ok',
      (error: Error) => error.message,
    ),
  );
  await new Promise((resolve) => setImmediate(resolve));
  const next = apply(14);
  await release();
  assert.deepEqual(await Promise.all(failing), ['thirteen', 'thirteen']);
  await release();
  assert.equal(await next, 140);
  assert.deepEqual(groups, [[12, 13], [14]]);
});
