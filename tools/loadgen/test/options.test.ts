import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MIX } from '../src/mix.ts';
import { HELP, parseOptions, UsageError } from '../src/options.ts';

test('options - the defaults: 100 req/s for 60 s after 15 s of warm-up, against the local gateway', () => {
  const options = parseOptions([]);
  assert.deepEqual(options.shape, { kind: 'constant', rate: 100 });
  assert.equal(options.durationMs, 60_000);
  assert.equal(options.warmupMs, 15_000);
  assert.equal(options.timeoutMs, 5_000);
  assert.equal(options.gateway, 'http://127.0.0.1:8080');
  assert.equal(options.mixFile, DEFAULT_MIX);
  assert.equal(options.shoppers, 100);
  assert.equal(options.maxLive, 1_000);
  assert.equal(options.connections, 128);
  assert.equal(options.start, false);
  assert.match(options.out, /bench\/results\/load$/);
});

test('options - shapes, numbers and an output prefix given with its extension', () => {
  const options = parseOptions([
    '--rate',
    '200,500',
    '--duration',
    '20',
    '--seed',
    '7',
    '--out',
    '/tmp/x.json',
    '--start',
  ]);
  assert.deepEqual(options.shape, { kind: 'steps', rates: [200, 500] });
  assert.equal(options.durationMs, 20_000);
  assert.equal(options.seed, 7);
  assert.equal(options.out, '/tmp/x');
  assert.equal(options.start, true);
});

for (const args of [
  ['--rate', 'lots'],
  ['--duration', '0'],
  ['--duration', '1.5'],
  ['--shoppers', '-1'],
  ['--gateway', 'not a url'],
  ['--bogus'],
  ['extra'],
]) {
  test(`options - ${args.join(' ')} is a usage error`, () => {
    assert.throws(() => parseOptions(args), UsageError);
  });
}

test('options - the help text documents every option', () => {
  for (const name of [
    'rate',
    'duration',
    'warmup',
    'timeout',
    'seed',
    'mix',
    'shoppers',
    'max-live',
    'connections',
    'gateway',
    'start',
    'slo',
    'out',
    'help',
  ])
    assert.match(HELP, new RegExp(`--${name}\\b`), name);
});
