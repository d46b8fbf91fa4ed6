import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCommandLine } from '@platform/devinfra/command-line';
import { LAUNCHER_OPTIONS } from '../src/command-line.ts';
import { parseScale, refusalOf, ScaleError, scaleFrom } from '../src/scale.ts';

const known = ['identity', 'registry', 'catalog', 'gateway', 'console'];

test('scale - a command-line list of service=count', () => {
  assert.deepEqual(parseScale('catalog=3,identity=2', known), { catalog: 3, identity: 2 });
  assert.deepEqual(scaleFrom({ scale: 'catalog=2' }, {}, known), { catalog: 2 });
  assert.deepEqual(scaleFrom({}, {}, known), {});
});

test('scale - refuses what it cannot start, naming the problem', () => {
  assert.throws(() => parseScale('catalgo=3', known), /no service named "catalgo"/);
  assert.throws(() => parseScale('catalog=0', known), /1 to 9 instances/);
  assert.throws(() => parseScale('catalog=three', known), ScaleError);
  assert.throws(() => parseScale('gateway=2', known), /gateway runs as one instance/);
  assert.throws(() => parseScale('registry=2', known), /registry runs as one instance/);
  assert.throws(() => parseScale('console=2', known), /console runs as one instance/);
});

test('scale - a config file, with the command line taking precedence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scale-'));
  const file = join(dir, 'platform.json');
  writeFileSync(file, JSON.stringify({ scale: { catalog: 3, identity: 2 } }));
  assert.deepEqual(scaleFrom({ config: file }, {}, known), { catalog: 3, identity: 2 });
  assert.deepEqual(scaleFrom({ scale: 'catalog=1' }, { PLATFORM_CONFIG: file }, known), {
    catalog: 1,
    identity: 2,
  });
  writeFileSync(file, '{ nope');
  assert.throws(() => scaleFrom({ config: file }, {}, known), /config file .*platform.json/);
});

test('scale - a running service gets one instance more or fewer, within its bounds', () => {
  const change = { service: 'catalog', running: 2, inProgress: false };
  assert.equal(refusalOf({ ...change, change: 1 }, known), undefined);
  assert.equal(refusalOf({ ...change, change: -1 }, known), undefined);
  assert.equal(refusalOf({ ...change, running: 8, change: 1 }, known), undefined);
});

test('scale - a change at runtime is refused, with why, past the bounds, for singletons, or twice at once', () => {
  const change = { service: 'catalog', running: 1, inProgress: false };
  assert.match(refusalOf({ ...change, change: -1 }, known) ?? '', /catalog cannot run fewer than 1 instance/);
  assert.match(refusalOf({ ...change, running: 9, change: 1 }, known) ?? '', /at most 9 instances/);
  assert.match(
    refusalOf({ ...change, service: 'gateway', change: 1 }, known) ?? '',
    /gateway runs as one instance: it is the one entry point/,
  );
  assert.match(refusalOf({ ...change, service: 'registry', change: 1 }, known) ?? '', /registry runs as one/);
  assert.match(refusalOf({ ...change, service: 'console', change: 1 }, known) ?? '', /console runs as one/);
  assert.match(
    refusalOf({ ...change, running: 2, change: 1, inProgress: true }, known) ?? '',
    /catalog is being scaled already/,
  );
  assert.match(refusalOf({ ...change, service: 'catalgo', change: 1 }, known) ?? '', /no service named/);
});

test('launcher command line - --scale and --version read in either form; anything else is refused before a start', () => {
  const read = (argv: string[]) => readCommandLine(argv, LAUNCHER_OPTIONS);
  for (const argv of [
    ['--scale', 'catalog=3', '--version', 'catalog=2.0.0'],
    ['--scale=catalog=3', '--version=catalog=2.0.0'],
  ]) {
    const reading = read(argv);
    assert.equal(reading.kind, 'run');
    if (reading.kind === 'run')
      assert.deepEqual({ ...reading.parsed.values }, { scale: 'catalog=3', version: 'catalog=2.0.0' });
  }
  assert.deepEqual(read(['--help']), { kind: 'help' });
  const mistyped = read(['--scael', 'catalog=3']);
  assert.equal(mistyped.kind, 'usage-error');
  if (mistyped.kind === 'usage-error') assert.match(mistyped.message, /--scael/);
  assert.equal(read(['--scale']).kind, 'usage-error');
});
