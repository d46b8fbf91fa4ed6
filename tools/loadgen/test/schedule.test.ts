import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArrivalSchedule, parseShape, type Shape, startTicker, targetRateAt } from '../src/schedule.ts';

function offsets(shape: Shape, durationMs: number, warmupMs = 0): number[] {
  const schedule = new ArrivalSchedule(shape, durationMs, warmupMs);
  const all: number[] = [];
  for (let offset = schedule.next(); offset !== undefined; offset = schedule.next()) all.push(offset);
  return all;
}

test('schedule - a constant rate puts tickets exactly 1/rate apart', () => {
  const times = offsets({ kind: 'constant', rate: 100 }, 2_000);
  assert.equal(times.length, 200);
  times.forEach((time, n) => {
    assert.ok(Math.abs(time - n * 10) < 1e-9, `ticket ${n} at ${time}`);
  });
});

test('schedule - a ramp from A to B sends (A+B)/2 a second on average, sparse first, dense last', () => {
  const times = offsets({ kind: 'ramp', from: 0, to: 100 }, 10_000);
  assert.ok(Math.abs(times.length - 500) <= 1, `${times.length} tickets`);
  const inSecond = (s: number) => times.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length;
  // The target rate at second s is 10 s; a second holds the integral: 10 s + 5.
  assert.ok(Math.abs(inSecond(0) - 5) <= 1, `first second ${inSecond(0)}`);
  assert.ok(Math.abs(inSecond(9) - 95) <= 1, `last second ${inSecond(9)}`);
  for (let n = 1; n < times.length; n++) assert.ok((times[n] ?? 0) > (times[n - 1] ?? 0), 'in order');
});

test('schedule - a ramp down ends at its lower rate', () => {
  const times = offsets({ kind: 'ramp', from: 200, to: 100 }, 4_000);
  assert.ok(Math.abs(times.length - 600) <= 1, `${times.length} tickets`);
  const last = times.filter((t) => t >= 3_000).length;
  assert.ok(Math.abs(last - 112.5) <= 1, `last second ${last}`);
});

test('schedule - steps split the duration equally, each at its own rate', () => {
  const times = offsets({ kind: 'steps', rates: [10, 50, 20] }, 3_000);
  const per = [0, 1, 2].map((s) => times.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length);
  assert.deepEqual(per, [10, 50, 20]);
  assert.equal(times[10], 1_000, 'the second step starts on its boundary');
  assert.ok(Math.abs((times[11] ?? 0) - 1_020) < 1e-9);
});

test('schedule - the warm-up comes first, at the shape first rate, before the measured window', () => {
  const schedule = new ArrivalSchedule({ kind: 'ramp', from: 20, to: 100 }, 1_000, 500);
  assert.equal(schedule.warmupMs, 500);
  const times: number[] = [];
  for (let t = schedule.next(); t !== undefined; t = schedule.next()) times.push(t);
  assert.equal(times.filter((t) => t < 500).length, 10, 'half a second at 20/s');
  assert.ok(Math.abs(times.filter((t) => t >= 500).length - 60) <= 1, '(20+100)/2 for one second');
});

test('schedule - target rate at a moment of the measured window', () => {
  assert.equal(targetRateAt({ kind: 'constant', rate: 7 }, 10_000, 3_000), 7);
  assert.equal(targetRateAt({ kind: 'ramp', from: 100, to: 200 }, 10_000, 5_000), 150);
  assert.equal(targetRateAt({ kind: 'steps', rates: [1, 2, 3] }, 3_000, 2_500), 3);
  assert.equal(
    targetRateAt({ kind: 'steps', rates: [1, 2, 3] }, 3_000, 3_000),
    3,
    'the end belongs to the last',
  );
});

test('schedule - shapes from the command line', () => {
  assert.deepEqual(parseShape('200'), { kind: 'constant', rate: 200 });
  assert.deepEqual(parseShape('12.5'), { kind: 'constant', rate: 12.5 });
  assert.deepEqual(parseShape('100..1000'), { kind: 'ramp', from: 100, to: 1000 });
  assert.deepEqual(parseShape('200,500,1000'), { kind: 'steps', rates: [200, 500, 1000] });
  for (const bad of ['', 'fast', '0', '-5', '10..', '..10', '1,,2', '1e3x', '0..0', 'Infinity'])
    assert.throws(() => parseShape(bad), /rate/, bad);
});

test('ticker - every ticket carries its intended time, however late the timer wakes', async () => {
  const schedule = new ArrivalSchedule({ kind: 'constant', rate: 1_000 }, 50);
  const intended: number[] = [];
  const late: number[] = [];
  const origin = performance.now();
  const ticker = startTicker(schedule, origin, (at, now) => {
    intended.push(at - origin);
    late.push(now - at);
  });
  // Block the event loop: the tickets due meanwhile must come out together, each still
  // with its own intended time, none skipped and none moved.
  const until = performance.now() + 30;
  while (performance.now() < until);
  await ticker.done;
  assert.equal(intended.length, 50);
  intended.forEach((at, n) => {
    assert.ok(Math.abs(at - n) < 1e-6, `ticket ${n} intended at ${at}`);
  });
  assert.ok(late.every((ms) => ms >= 0));
  assert.ok(Math.max(...late) >= 20, 'the blocked tickets were late, and that is known');
});

test('ticker - stop ends the arrivals early', async () => {
  const schedule = new ArrivalSchedule({ kind: 'constant', rate: 100 }, 60_000);
  let count = 0;
  const ticker = startTicker(schedule, performance.now(), () => {
    count++;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  ticker.stop();
  await ticker.done;
  const stoppedAt = count;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(count, stoppedAt);
  assert.ok(count > 0 && count < 30, `${count} tickets`);
});
