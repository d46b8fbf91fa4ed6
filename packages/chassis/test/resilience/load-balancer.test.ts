import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceInstance } from '../../src/discovery/types.ts';
import { type BalancingStrategy, InstancePool } from '../../src/resilience/load-balancer.ts';

const instance = (id: string): ServiceInstance => ({
  service: 'catalog',
  instanceId: id,
  url: `http://127.0.0.1:1${id.length}${id.charCodeAt(0)}`,
  version: '1.0.0',
  zone: 'local',
  metadata: {},
});
const ejection = { consecutiveFailures: 3, baseMs: 1_000, maxMs: 8_000 };

function pool(strategy: BalancingStrategy, ids = ['a', 'b', 'c'], now = () => 0) {
  const subject = new InstancePool(strategy, ejection, { now });
  subject.update(ids.map(instance));
  return subject;
}

function picks(subject: InstancePool, count: number): string[] {
  return Array.from({ length: count }, () => subject.pick()?.instance.instanceId ?? 'none');
}

describe('load balancing strategies', () => {
  test('round-robin visits every instance in turn', () => {
    assert.deepEqual(picks(pool('round-robin'), 6), ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  test('random spreads calls over every instance', () => {
    const counts = new Map<string, number>();
    for (const id of picks(pool('random'), 3_000)) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of ['a', 'b', 'c']) assert.ok((counts.get(id) ?? 0) > 800, `${id}: ${counts.get(id)}`);
  });

  test('least outstanding picks the instance with the fewest calls in flight', () => {
    const subject = pool('least-outstanding');
    const [a, b] = subject.endpoints;
    assert.ok(a && b);
    subject.started(a);
    subject.started(a);
    subject.started(b);
    assert.equal(subject.pick()?.instance.instanceId, 'c');
    subject.finished(a, { failed: false, elapsedMs: 5 });
    subject.finished(a, { failed: false, elapsedMs: 5 });
    assert.equal(subject.pick()?.instance.instanceId, 'a');
  });

  test('power of two choices steers traffic away from a slow instance', () => {
    const subject = pool('p2c-ewma');
    for (const endpoint of subject.endpoints) {
      const elapsedMs = endpoint.instance.instanceId === 'b' ? 400 : 5;
      for (let i = 0; i < 10; i++) subject.finished(endpoint, { failed: false, elapsedMs });
    }
    const chosen = picks(subject, 3_000);
    const slow = chosen.filter((id) => id === 'b').length;
    // b only wins when both choices are b, which p2c never draws: it gets nothing.
    assert.ok(slow < 100, `the slow instance got ${slow} of 3000`);
    assert.ok(chosen.includes('a') && chosen.includes('c'));
  });

  test('a retry avoids the instances it already tried when it can', () => {
    const subject = pool('round-robin');
    for (let i = 0; i < 10; i++) {
      const picked = subject.pick(new Set(['a', 'b']));
      assert.equal(picked?.instance.instanceId, 'c');
    }
  });

  test('an update keeps what was measured of instances that stay', () => {
    const subject = pool('least-outstanding');
    const [a] = subject.endpoints;
    assert.ok(a);
    subject.started(a);
    subject.update([instance('a'), instance('d')]);
    assert.equal(subject.endpoints[0], a);
    assert.equal(subject.endpoints[0]?.outstanding, 1);
    assert.deepEqual(
      subject.endpoints.map((endpoint) => endpoint.instance.instanceId),
      ['a', 'd'],
    );
  });
});

describe('passive health: ejection', () => {
  test('consecutive failures eject an instance for a back-off that doubles, then it returns', () => {
    let now = 0;
    const subject = pool('round-robin', ['a', 'b'], () => now);
    const [a] = subject.endpoints;
    assert.ok(a);
    const ejected: string[] = [];
    subject.onEject = (endpoint) => ejected.push(endpoint.instance.instanceId);
    const fail = () => subject.finished(a, { failed: true, elapsedMs: 1 });

    fail();
    fail();
    assert.equal(subject.isEjected(a), false, 'two failures are not enough');
    subject.finished(a, { failed: false, elapsedMs: 1 });
    fail();
    fail();
    assert.equal(subject.isEjected(a), false, 'a success resets the count');
    fail();
    assert.equal(subject.isEjected(a), true);
    assert.deepEqual(ejected, ['a']);
    assert.deepEqual(picks(subject, 4), ['b', 'b', 'b', 'b']);

    now = 1_001;
    assert.equal(subject.isEjected(a), false, 'back in rotation after the back-off');
    fail();
    fail();
    fail();
    assert.equal(a.ejectedUntil, now + 2_000, 'ejected again in a row: twice as long');
  });

  test('when every instance is ejected, all are used rather than none', () => {
    const subject = pool('round-robin', ['a', 'b']);
    for (const endpoint of subject.endpoints) {
      for (let i = 0; i < 3; i++) subject.finished(endpoint, { failed: true, elapsedMs: 1 });
    }
    assert.ok(subject.endpoints.every((endpoint) => subject.isEjected(endpoint)));
    assert.deepEqual(picks(subject, 2).sort(), ['a', 'b']);
  });

  test('a version keeps calls on the instances announcing it, retries included', () => {
    const subject = pool('round-robin', ['a', 'b', 'c']);
    subject.update([
      instance('a'),
      { ...instance('b'), version: '2.0.0' },
      { ...instance('c'), version: '2.0.0' },
    ]);
    assert.deepEqual(
      Array.from({ length: 4 }, () => subject.pick(undefined, '2.0.0')?.instance.instanceId),
      ['b', 'c', 'b', 'c'],
    );
    assert.equal(subject.pick(new Set(['b', 'c']), '2.0.0')?.instance.version, '2.0.0');
    assert.equal(subject.pick(undefined, '1.0.0')?.instance.instanceId, 'a');
  });

  test('a version no instance announces falls back to every instance', () => {
    const subject = pool('round-robin', ['a', 'b']);
    assert.deepEqual(
      [subject.pick(undefined, '9.9.9'), subject.pick(undefined, '9.9.9')].map((e) => e?.instance.instanceId),
      ['a', 'b'],
    );
  });

  test('no instance at all gives nothing to call', () => {
    assert.equal(pool('p2c-ewma', []).pick(), undefined);
  });
});
