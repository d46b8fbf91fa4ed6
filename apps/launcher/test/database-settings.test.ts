import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settingsFrom } from '../src/database.ts';

test('PLATFORM_PG_SETTINGS - name=value pairs separated by spaces reach the embedded server as given', () => {
  assert.deepEqual(settingsFrom(undefined), []);
  assert.deepEqual(settingsFrom('  '), []);
  assert.deepEqual(
    settingsFrom(' shared_preload_libraries=pg_stat_statements  work_mem=8MB pg_stat_statements.track=all'),
    ['shared_preload_libraries=pg_stat_statements', 'work_mem=8MB', 'pg_stat_statements.track=all'],
  );
});

test('PLATFORM_PG_SETTINGS - anything but name=value stops the start with the setting named', () => {
  for (const broken of ['work_mem', '=8MB', 'work_mem=', "log_line_prefix='%d'", 'a=b;c']) {
    assert.throws(
      () => settingsFrom(broken),
      new RegExp(`"${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not name=value`),
    );
  }
});
