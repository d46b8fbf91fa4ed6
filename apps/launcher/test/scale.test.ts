import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseScale, ScaleError, scaleFrom } from '../src/scale.ts';

const known = ['identity', 'registry', 'catalog', 'gateway'];

test('scale - a command-line list of service=count', () => {
  assert.deepEqual(parseScale('catalog=3,identity=2', known), { catalog: 3, identity: 2 });
  assert.deepEqual(scaleFrom(['--scale', 'catalog=2'], {}, known), { catalog: 2 });
  assert.deepEqual(scaleFrom(['--scale=catalog=3'], {}, known), { catalog: 3 });
  assert.deepEqual(scaleFrom([], {}, known), {});
});

test('scale - refuses what it cannot start, naming the problem', () => {
  assert.throws(() => parseScale('catalgo=3', known), /no service named "catalgo"/);
  assert.throws(() => parseScale('catalog=0', known), /1 to 9 instances/);
  assert.throws(() => parseScale('catalog=three', known), ScaleError);
  assert.throws(() => parseScale('gateway=2', known), /gateway runs as one instance/);
  assert.throws(() => parseScale('registry=2', known), /registry runs as one instance/);
});

test('scale - a config file, with the command line taking precedence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scale-'));
  const file = join(dir, 'platform.json');
  writeFileSync(file, JSON.stringify({ scale: { catalog: 3, identity: 2 } }));
  assert.deepEqual(scaleFrom(['--config', file], {}, known), { catalog: 3, identity: 2 });
  assert.deepEqual(scaleFrom(['--scale', 'catalog=1'], { PLATFORM_CONFIG: file }, known), {
    catalog: 1,
    identity: 2,
  });
  writeFileSync(file, '{ nope');
  assert.throws(() => scaleFrom(['--config', file], {}, known), /config file .*platform.json/);
});
