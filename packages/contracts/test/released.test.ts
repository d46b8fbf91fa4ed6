import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  compareWithReleased,
  currentSchemas,
  explain,
  readReleased,
  release,
  type Schemas,
} from '../src/evolution/released.ts';

test('every message schema in the code is compatible with its last release, and every type is released', async () => {
  const problems = explain(compareWithReleased(await readReleased(), currentSchemas()));
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

test('a field a consumer reads, renamed on purpose in a released type, is caught and named', async () => {
  const released = await readReleased();
  const current = currentSchemas();
  const placed = structuredClone(current['order.created']);
  const totals = placed?.properties?.totals;
  assert.ok(placed && totals?.properties?.total, 'order.created carries the total its consumers read');
  totals.properties.grandTotal = totals.properties.total;
  delete totals.properties.total;
  totals.required = (totals.required ?? []).map((name) => (name === 'total' ? 'grandTotal' : name));
  const problems = explain(compareWithReleased(released, { ...current, 'order.created': placed }));
  assert.deepEqual(problems, [
    'order.created changed in a breaking way (publish it as a new type, e.g. order.created.v2):',
    '  - totals.total: a required field was removed (or renamed)',
    '  - totals.grandTotal: a new required field has no default',
  ]);
});

test('a release records additive changes, refuses breaking ones, and drops a type only when retired by name', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'contracts-'));
  const file = pathToFileURL(join(folder, 'messages.json'));
  try {
    const current = currentSchemas();
    const released: Schemas = { ...current, 'order.legacy': { type: 'object', properties: {} } };
    // Released before: the payment's failure code accepted one value more (a narrowing since).
    const failed = structuredClone(current['payment.failed']);
    assert.ok(failed?.properties?.code?.anyOf, 'payment.failed has its code as a union');
    failed.properties.code.anyOf.push({ type: 'string', const: 'bank_offline' });
    await writeFile(file, JSON.stringify({ ...released, 'payment.failed': failed }));
    assert.match((await release([], file)).join('\n'), /payment\.failed changed in a breaking way/);
    await writeFile(file, JSON.stringify(released));
    assert.match((await release([], file)).join('\n'), /order\.legacy was released and is gone/);
    assert.deepEqual(await release(['order.legacy'], file), []);
    assert.deepEqual(Object.keys(JSON.parse(await readFile(file, 'utf8'))), Object.keys(current).sort());
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
