// The scripts' command lines read as a user types them: help asked for anywhere before
// a lone `--`, an unknown option or a missing value a usage error that names it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  listOption,
  numberOption,
  readCommandLine,
  readList,
  readNumber,
  UsageError,
} from '../src/command-line.ts';

const config = {
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
} as const;

test('command line - options and positionals as given, defaults where not', () => {
  const reading = readCommandLine(['all', '--runs', '7', '--json'], config);
  assert.equal(reading.kind, 'run');
  if (reading.kind !== 'run') return;
  assert.deepEqual({ ...reading.parsed.values }, { runs: '7', json: true });
  assert.deepEqual(reading.parsed.positionals, ['all']);
  const defaults = readCommandLine([], config);
  assert.ok(defaults.kind === 'run' && defaults.parsed.values.runs === '5');
});

test('command line - --help or -h asks for the usage, even beside a mistake; after a lone -- it is an argument', () => {
  assert.deepEqual(readCommandLine(['--help'], config), { kind: 'help' });
  assert.deepEqual(readCommandLine(['all', '-h', '--no-such-option'], config), { kind: 'help' });
  const after = readCommandLine(['--', '--help'], config);
  assert.ok(after.kind === 'run' && after.parsed.positionals[0] === '--help');
});

test('command line - an unknown option, a missing value or a value given to a switch is a usage error naming it', () => {
  const unknown = readCommandLine(['--rusn', '7'], config);
  assert.ok(unknown.kind === 'usage-error' && unknown.message.includes("'--rusn'"), JSON.stringify(unknown));
  const missing = readCommandLine(['--runs'], config);
  assert.ok(missing.kind === 'usage-error' && missing.message.includes('--runs'), JSON.stringify(missing));
  const switched = readCommandLine(['--json=yes'], config);
  assert.ok(switched.kind === 'usage-error' && switched.message.includes('--json'), JSON.stringify(switched));
  const strict = readCommandLine(['extra'], { options: {} });
  assert.equal(strict.kind, 'usage-error', 'a positional where none is taken');
});

test('command line - numbers and lists that fit are read as such', () => {
  assert.equal(numberOption('--runs', '7', { min: 1, integer: true }), 7);
  assert.equal(numberOption('--scale', '0.15', { positive: true, max: 1 }), 0.15);
  assert.equal(numberOption('--wait', '0', { min: 0 }), 0);
  assert.deepEqual(listOption('--bus', 'nats,postgres', ['postgres', 'nats']), ['nats', 'postgres']);
});

test('command line - a number in anything but decimal digits, or out of its range, is a usage error naming the option', () => {
  for (const [value, range] of [
    ['0x10', {}],
    ['1e3', {}],
    ['Infinity', {}],
    ['', {}],
    ['soon', { min: 0 }],
    ['0', { positive: true }],
    ['2.5', { integer: true }],
    ['101', { max: 100 }],
  ] as const) {
    assert.throws(
      () => readNumber('--runs', value, range),
      (error: unknown) => error instanceof UsageError && error.message.startsWith(`--runs "${value}": not `),
      value,
    );
  }
  assert.throws(() => readList('--bus', 'postgres,kafka', ['postgres', 'nats']), /--bus "postgres,kafka"/);
  assert.throws(() => readList('--bus', '', ['postgres', 'nats']), UsageError);
  assert.equal(readNumber('--rate', '-1.5'), -1.5);
});
