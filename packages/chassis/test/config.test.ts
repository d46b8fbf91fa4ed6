import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { baseConfig, ConfigError, databaseConfig, EXIT_CONFIG, loadConfig, Type } from '../src/index.ts';

const Schema = Type.Object({ ...baseConfig, ...databaseConfig, FEATURE_LIMIT: Type.Integer({ minimum: 1 }) });
const valid = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', FEATURE_LIMIT: '5' };

test('config - applies defaults and converts numbers from strings', () => {
  const config = loadConfig(Schema, valid);
  assert.equal(config.PORT, 0);
  assert.equal(config.HOST, '127.0.0.1');
  assert.equal(config.LOG_LEVEL, 'info');
  assert.equal(config.FEATURE_LIMIT, 5);
});

test('config - a missing variable is named in the error', () => {
  assert.throws(
    () => loadConfig(Schema, { FEATURE_LIMIT: '5' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /DATABASE_URL is required but unset/);
      return true;
    },
  );
});

test('config - a malformed variable is named with the value it had', () => {
  assert.throws(
    () => loadConfig(Schema, { ...valid, PORT: 'eighty' }),
    /invalid configuration: PORT .*got "eighty"/,
  );
  assert.throws(() => loadConfig(Schema, { ...valid, DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig(Schema, { ...valid, LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});

test('config - a service with bad config stops at start with one line naming the variable', () => {
  const result = spawnSync(
    process.execPath,
    [join(import.meta.dirname, 'fixtures', 'configured-service.ts')],
    {
      env: { PATH: process.env.PATH, PORT: '99999' },
      encoding: 'utf8',
    },
  );
  assert.equal(result.status, EXIT_CONFIG);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^fixture: invalid configuration: .*PORT/);
  assert.match(lines[0] ?? '', /DATABASE_URL is required/);
});
