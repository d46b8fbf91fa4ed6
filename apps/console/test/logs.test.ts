import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { markupOf } from '@platform/web';
import { matches, parseLine, readLogs } from '../src/logs.ts';
import { logTable } from '../src/pages/logs.ts';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    level: 'info',
    time: '2026-12-03T10:00:00.000Z',
    service: 'order',
    instance: 'order-1',
    pid: 1,
    host: 'h',
    msg: 'request completed',
    ...fields,
  });

test('console logs - a JSON line becomes an entry with its ids and the rest of its fields; anything else is skipped', () => {
  const entry = parseLine(line({ correlationId: 'c1', traceId: 't1', route: '/x', status: 200 }));
  assert.deepEqual(entry, {
    time: '2026-12-03T10:00:00.000Z',
    level: 'info',
    service: 'order',
    instance: 'order-1',
    msg: 'request completed',
    correlationId: 'c1',
    traceId: 't1',
    fields: { route: '/x', status: 200 },
  });
  assert.equal(parseLine('2026-12-03 LOG:  database system is ready'), undefined, "PostgreSQL's own lines");
  assert.equal(parseLine('{"half": '), undefined);
});

test('console logs - filters: a level means it and above; ids exactly; text anywhere in the entry', () => {
  const entry = parseLine(line({ level: 'warn', correlationId: 'c1', orderId: 'o-42' }));
  assert.ok(entry);
  assert.equal(matches(entry, { level: 'info' }), true);
  assert.equal(matches(entry, { level: 'warn' }), true);
  assert.equal(matches(entry, { level: 'error' }), false);
  assert.equal(matches(entry, { correlationId: 'c1', service: 'order' }), true);
  assert.equal(matches(entry, { correlationId: 'c2' }), false);
  assert.equal(matches(entry, { text: 'O-42' }), true);
  assert.equal(matches(entry, { service: 'cart' }), false);
});

test('console logs - the newest entries of every service, newest first, filtered', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'console-logs-'));
  try {
    await writeFile(
      join(folder, 'order.log'),
      `${line({ time: '2026-12-03T10:00:01.000Z', correlationId: 'c1' })}\n${line({ time: '2026-12-03T10:00:03.000Z' })}\n`,
    );
    await writeFile(
      join(folder, 'cart.log'),
      `${line({ service: 'cart', instance: 'cart-1', time: '2026-12-03T10:00:02.000Z', correlationId: 'c1' })}\n`,
    );
    await writeFile(join(folder, 'postgres.log'), 'LOG: ready\n');
    const all = await readLogs(folder, {});
    assert.deepEqual(
      all.map((e) => `${e.instance} ${e.time.slice(17, 19)}`),
      ['order-1 03', 'cart-1 02', 'order-1 01'],
    );
    const one = await readLogs(folder, { correlationId: 'c1' });
    assert.deepEqual(
      one.map((e) => e.instance),
      ['cart-1', 'order-1'],
      'one request followed across services',
    );
    assert.equal((await readLogs(folder, {}, 1)).length, 1);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('console logs - each id links to everything carrying it; messages are text', () => {
  const entry = parseLine(
    line({ msg: '<b>boom</b>', correlationId: 'abcdef0123', traceId: '0123456789abcdef' }),
  );
  assert.ok(entry);
  const page = markupOf(logTable([entry]));
  assert.match(page, /&lt;b&gt;boom&lt;\/b&gt;/);
  assert.match(page, /<a href="\/logs\?correlationId=abcdef0123">abcdef01<\/a>/);
  assert.match(page, /<a href="\/traces\/0123456789abcdef" title="the trace">01234567<\/a>/);
  assert.match(page, /<a href="\/logs\?traceId=0123456789abcdef" title="its log lines">logs<\/a>/);
});
