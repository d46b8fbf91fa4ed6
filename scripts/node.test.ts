// The wrapper's minimum Node is what the code needs, and package.json says the same:
// a system Node below it gets the pinned one, never a platform that cannot start.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MINIMUM, meetsMinimum } from './node.mjs';

const root = join(import.meta.dirname, '..');

test('node wrapper - a Node without argon2 in node:crypto (before 24.7) is not accepted', () => {
  assert.equal(meetsMinimum('v22.18.0'), false);
  assert.equal(meetsMinimum('v24.6.0'), false);
  assert.equal(meetsMinimum('v24.7.0'), true);
  assert.equal(meetsMinimum('v25.0.0'), true);
  // The Node running this test is one the wrapper accepted or fetched: it has argon2.
  assert.equal(typeof (crypto as { argon2?: unknown }).argon2, 'function');
});

test('node wrapper - package.json engines and the pinned version agree with the minimum', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, `>=${MINIMUM.join('.')}`);
  const pinned = readFileSync(join(root, '.node-version'), 'utf8').trim();
  assert.ok(meetsMinimum(`v${pinned}`), `.node-version ${pinned} is below the minimum`);
});
