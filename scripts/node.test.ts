// The wrapper's minimum Node is what the code needs, and package.json says the same:
// a system Node below it gets the pinned one, never a platform that cannot start.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MINIMUM, meetsMinimum, withCompileCache } from './node.mjs';

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

test('node wrapper - what it runs keeps V8 code in the git-ignored .tools/compile-cache, unless told otherwise', () => {
  const cacheDirOf = (env: NodeJS.ProcessEnv) =>
    execFileSync(
      process.execPath,
      [join(root, 'scripts/node.mjs'), '-p', "require('node:module').getCompileCacheDir() ?? 'none'"],
      { env, encoding: 'utf8' },
    ).trim();
  const { NODE_COMPILE_CACHE: _chosen, NODE_DISABLE_COMPILE_CACHE: _disabled, ...plain } = process.env;
  // Node keeps a folder per version of itself inside the one it is given.
  assert.ok(cacheDirOf(plain).startsWith(join(root, '.tools', 'compile-cache/')), cacheDirOf(plain));
  assert.equal(cacheDirOf({ ...plain, NODE_DISABLE_COMPILE_CACHE: '1' }), 'none');
  assert.deepEqual(withCompileCache({ NODE_COMPILE_CACHE: '/elsewhere' }), {
    NODE_COMPILE_CACHE: '/elsewhere',
  });
  assert.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^\.tools\/$/m);
});
