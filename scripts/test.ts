// `npm test`: one run of Node's test runner over every workspace, with one
// PostgreSQL shared by the whole run. By default an embedded server is started in a
// throwaway folder (a laptop needs nothing installed); with `--infra` the suites that
// can use the machine's servers (DATABASE_URL, else 127.0.0.1:5432; Redis; NATS) and
// its Chromium run against them with REQUIRE_INFRA=1, so a missing one fails the run
// instead of skipping. `--no-browser` leaves the browser suites out, `--no-image` the
// container image's build (deploy/container/test/image.test.ts), and `--contracts`
// runs the contract suite alone (pacts, schema compatibility, protobuf).
//
// Pacts (decision 035): the consumers' pact tests (`*.consumer.pact.ts`) run first and
// write this run's pact files into a folder of its own (PACT_DIR); then the rest run,
// the providers' verifications among them (test-phases.ts), so one run writes the pacts
// and holds every provider to them. The folder is removed after a passing run and kept
// after a failure.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningPostgres, startEmbeddedPostgres, waitForPostgres } from '@platform/devinfra';
import { commandLine } from '@platform/devinfra/command-line';
import { phases } from './test-phases.ts';

const USAGE = `usage: npm test [-- <glob>...] [--no-browser] [--no-image] [--contracts]
       npm run test:infra [-- <glob>...]

Every workspace's tests (or those the globs name) on one PostgreSQL: an embedded one,
or with --infra (test:infra) this machine's servers, a missing one failing the run.
  --no-browser   leave out the browser suites (test/browser)
  --no-image     leave out the container image's build and tests
  --contracts    the contract suite alone: pacts, schema compatibility, protobuf`;
const { values: flags, positionals: patterns } = commandLine(USAGE, {
  allowPositionals: true,
  options: {
    infra: { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
    'no-image': { type: 'boolean', default: false },
    contracts: { type: 'boolean', default: false },
  },
});
const root = join(import.meta.dirname, '..');
const infra = flags.infra;
const withBrowser = !flags['no-browser'];
const withImage = !flags['no-image'];
const contractsOnly = flags.contracts;

const UNIT_AND_SERVICE_PATTERNS = [
  'packages/*/test/**/*.test.ts',
  'services/*/test/**/*.test.ts',
  'apps/*/test/**/*.test.ts',
  'tools/*/test/**/*.test.ts',
  'deploy/*/test/**/*.test.ts',
  'scripts/*.test.ts',
];
// The end-to-end suites start the platform as `npm start` does, on its embedded
// PostgreSQL and bus, whatever the machine has: with `--infra` they would only run
// the same again, so that run covers the suites that use the machine's servers.
// The browser suites also start the embedded platform, but drive it with the machine's
// Chromium: in both runs (a laptop's `npm test` runs them, or skips them without
// Chromium), and in CI only in the infra run, where REQUIRE_INFRA=1 makes a missing
// Chromium fail instead of skip; `.ci/run` passes `--no-browser` to its embedded run so
// they run once.
const BROWSER_PATTERNS = withBrowser ? ['test/browser/**/*.test.ts'] : [];
const DEFAULT_PATTERNS = infra
  ? [...UNIT_AND_SERVICE_PATTERNS, ...BROWSER_PATTERNS]
  : [...UNIT_AND_SERVICE_PATTERNS, 'test/e2e/**/*.test.ts', ...BROWSER_PATTERNS];

async function startDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (infra) {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    await waitForPostgres(url, 5_000);
    console.log(`tests: using PostgreSQL at ${new URL(url).host} (REQUIRE_INFRA=1)`);
    return { url, stop: async () => undefined };
  }
  const dataDir = join(root, '.test-data', `pg-${randomBytes(4).toString('hex')}`);
  const started = Date.now();
  const server: RunningPostgres = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    adminPassword: randomBytes(12).toString('hex'),
    durable: false,
  });
  console.log(`tests: embedded PostgreSQL on port ${server.port} ready in ${Date.now() - started} ms`);
  return {
    url: server.adminUrl,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const database = await startDatabase();
const pactDir = join(root, '.test-data', `pacts-${randomBytes(4).toString('hex')}`);
await mkdir(pactDir, { recursive: true });
const concurrency = Math.max(2, Math.min(4, availableParallelism()));
const args = ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000'];
if (process.env.CI) args.push('--test-reporter=spec');

let interrupted = false;
let running: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    running?.kill(signal);
  });
}

function runPhase(selection: string[]): Promise<number> {
  const child = spawn(process.execPath, [...args, ...selection], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEST_DATABASE_URL: database.url,
      PACT_DIR: pactDir,
      PACT_DO_NOT_TRACK: 'true',
      ...(infra ? { REQUIRE_INFRA: '1' } : {}),
      ...(withImage ? {} : { TEST_NO_IMAGE: '1' }),
    },
  });
  running = child;
  return new Promise<number>((resolve) => child.on('exit', (status) => resolve(status ?? 1)));
}

let code = 0;
for (const selection of phases({ patterns, contractsOnly, defaults: DEFAULT_PATTERNS })) {
  code = await runPhase(selection);
  if (code !== 0 || interrupted) break;
}
await database.stop();
if (code === 0) await rm(pactDir, { recursive: true, force: true });
else console.log(`tests: this run's pact files are kept in ${pactDir}`);
process.exit(interrupted ? 130 : code);
