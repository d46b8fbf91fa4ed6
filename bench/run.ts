// `npm run bench -- <name> [args]`: runs bench/<name>/run.ts; with no name, lists them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(import.meta.dirname).filter((entry) =>
  existsSync(join(import.meta.dirname, entry, 'run.ts')),
);
if (!name || !available.includes(name)) {
  console.log(`usage: npm run bench -- <${available.join('|')}> [args]`);
  process.exit(name ? 2 : 0);
}
const result = spawnSync(process.execPath, [join(import.meta.dirname, name, 'run.ts'), ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
