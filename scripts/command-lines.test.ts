// Every npm script that takes arguments, run as a user would mistype it: `--help`
// prints its usage and exits 0, an unknown option exits 2 with one line naming it and
// the usage, never a stack trace, and neither starts anything or writes a result (a
// benchmark given `--help` once ran with no runs and overwrote its recorded results).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..');
const scripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** Each npm script that runs a file of ours through the Node wrapper, with the arguments it adds. */
const entries = Object.entries(scripts).flatMap(([name, command]) => {
  const match = /^node scripts\/node\.mjs (\S+)(.*)$/.exec(command);
  return match?.[1]
    ? [{ name, file: match[1], fixed: (match[2] ?? '').trim().split(/\s+/).filter(Boolean) }]
    : [];
});
const benchmarks = readdirSync(join(root, 'bench'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && readdirSync(join(root, 'bench', entry.name)).includes('run.ts'))
  .map((entry) => entry.name);
/** Tools run by their path, not through npm (each README names them). */
const byPath = ['tools/loadgen/src/screenshot.ts'];
const cases = [
  ...entries.map(({ name, file, fixed }) => ({ name: `npm run ${name}`, argv: [file, ...fixed] })),
  ...benchmarks.map((name) => ({ name: `npm run bench -- ${name}`, argv: ['bench/run.ts', name] })),
  ...byPath.map((file) => ({ name: file, argv: [file] })),
];
/** How a usage names the command: through npm, or by its path. */
const USAGE_LINE = /npm (run|start|test)|node scripts\/node\.mjs/;

function run(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: { ...process.env, PLATFORM_DATA_DIR: join(tmpdir(), 'command-lines-test-no-platform') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const results = join(root, 'bench', 'results');
const resultTimes = () =>
  readdirSync(results).map((file) => `${file}@${statSync(join(results, file)).mtimeMs}`);
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

test(`command lines - ${cases.length} scripts: --help is their usage, exit 0; an unknown option exit 2, named, no stack`, async () => {
  assert.ok(cases.length >= 14, `found only ${cases.map((c) => c.name).join(', ')}`);
  const before = resultTimes();
  const failures: string[] = [];
  // Four at a time: each is a Node process loading a tool.
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const help = await run([...next.argv, '--help']);
        if (help.code !== 0 || !USAGE_LINE.test(help.stdout) || STACK.test(help.stderr))
          failures.push(`${next.name} --help: exit ${help.code}\n${help.stdout}${help.stderr}`);
        const wrong = await run([...next.argv, '--no-such-option']);
        if (wrong.code !== 2 || !wrong.stderr.includes('--no-such-option') || STACK.test(wrong.stderr))
          failures.push(`${next.name} --no-such-option: exit ${wrong.code}\n${wrong.stdout}${wrong.stderr}`);
      }
    }),
  );
  assert.deepEqual(failures, []);
  assert.deepEqual(resultTimes(), before, 'a script asked for help, or refused, wrote a result');
});

test('command lines - a value out of its range is refused by name before anything runs', async () => {
  for (const [argv, says] of [
    [['bench/run.ts', 'startup', 'five'], /runs "five": not a whole number from 1/],
    [
      ['bench/run.ts', 'checkout', '--bus', 'kafka'],
      /--bus "kafka": a comma-separated list of postgres, nats/,
    ],
    [['bench/run.ts', 'nosuch'], /no benchmark nosuch/],
    [['tools/chaos/src/cli.ts', 'all', '--scale', '2'], /--scale "2": not a positive number up to 1/],
    [['tools/chaos/src/cli.ts', 'kill-everything'], /no scenario kill-everything/],
    [['tools/fuzz/src/cli.ts', '--only', '('], /--only: Invalid regular expression/],
    [['tools/audit/src/cli.ts', '--wait', 'soon'], /--wait "soon": not a number from 0/],
    [['tools/dead-letters.ts', 'payment', 'replay', 'latest'], /needs a dead letter's id/],
    [['tools/loadgen/src/screenshot.ts', '--height', '90x'], /--height "90x": not a whole number from 100/],
  ] as const) {
    const { code, stderr } = await run([...argv]);
    assert.equal(code, 2, `${argv.join(' ')}: ${stderr}`);
    assert.match(stderr, says);
    assert.match(stderr, /usage: (npm run|node scripts\/node\.mjs)/);
  }
});
