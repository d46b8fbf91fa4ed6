// `npm run bench -- <name> [args]`: runs bench/<name>/run.ts; with no name, lists them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, refuse } from '@platform/devinfra/command-line';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(import.meta.dirname).filter((entry) =>
  existsSync(join(import.meta.dirname, entry, 'run.ts')),
);
const USAGE = `usage: npm run bench -- <${available.join('|')}> [args]

Each benchmark writes its results, with the machine's details, to bench/results/<name>.json
(bench/README.md). npm run bench -- <name> --help lists its options.`;
// Only the benchmark's name is read here; its options are its own.
commandLine(USAGE, { allowPositionals: true, options: {} }, name === undefined ? [] : [name]);
if (name === undefined) {
  console.log(USAGE);
  process.exit(0);
}
if (!available.includes(name)) refuse(`no benchmark ${name}`);
const result = spawnSync(process.execPath, [join(import.meta.dirname, name, 'run.ts'), ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
