// The long fuzzing run, from the command line:
//   npm run fuzz -- [--runs N] [--seed S] [--gateway URL] [--concurrency C] [--only REGEX] [--minutes M] [--json FILE]
// Without --gateway it starts the platform itself (`npm start` in a throwaway data
// folder, rate limits raised so the run exercises the services rather than the
// limiter) and stops it at the end. With --gateway, the administrator's password is
// ADMIN_PASSWORD or the one the launcher kept in PLATFORM_DATA_DIR (default .data).
// Exits 1 if any rule was broken, after printing each distinct failure with a curl
// command that repeats it.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { commandLine, numberOption, refuse } from '@platform/devinfra/command-line';
import { root } from '../../../test/e2e/platform.ts';
import { openShop } from '../../../test/e2e/shop.ts';
import { prepare } from './prepare.ts';
import { REGRESSIONS, withKnownIds } from './regressions.ts';
import { curl, describeFailures, describeReport } from './report.ts';
import { type Failure, fuzz, Prober } from './run.ts';

const USAGE = `usage: npm run fuzz -- [--runs N] [--seed S] [--gateway URL] [--concurrency C] [--only REGEX] [--minutes M] [--json FILE]

Generated requests to every public operation of the gateway's OpenAPI document, each
answer checked: no 5xx, errors as problem+json, only documented statuses, answers that
match their schema, an answer in time (docs/security.md).
  --runs N          requests per operation (default 200)
  --seed S          the run's seed, to repeat it (default: random, printed)
  --gateway URL     a running platform's gateway (default: start one in a throwaway folder)
  --concurrency C   requests in flight (default 4)
  --only REGEX      only the operations whose id matches
  --minutes M       stop after this long
  --json FILE       the report as JSON too
Exit 1 if any rule was broken.`;

const { values } = commandLine(USAGE, {
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string' },
    gateway: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    only: { type: 'string' },
    minutes: { type: 'string' },
    json: { type: 'string' },
  },
});
const numbers = {
  runs: numberOption('--runs', values.runs, { min: 1, integer: true }),
  concurrency: numberOption('--concurrency', values.concurrency, { min: 1, integer: true }),
};
const seed =
  values.seed !== undefined
    ? numberOption('--seed', values.seed, { min: 0, integer: true })
    : Date.now() % 2 ** 31;
const budgetMs =
  values.minutes !== undefined ? numberOption('--minutes', values.minutes, { min: 0 }) * 60_000 : undefined;
let only: RegExp | undefined;
try {
  only = values.only !== undefined ? new RegExp(values.only) : undefined;
} catch (error) {
  refuse(`--only: ${(error as Error).message}`);
}
const log = (line: string) => process.stderr.write(`${line}\n`);

function adminPassword(): string {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const file = join(process.env.PLATFORM_DATA_DIR ?? join(root, '.data'), 'secrets.json');
  if (!existsSync(file)) throw new Error(`no ADMIN_PASSWORD, and no ${file} to read it from`);
  return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)['admin-password'] ?? '';
}

async function platform(): Promise<{ gateway: string; password: string; stop: () => Promise<void> }> {
  if (values.gateway)
    return { gateway: values.gateway.replace(/\/$/, ''), password: adminPassword(), stop: async () => {} };
  const dataDir = join(root, '.test-data', `fuzz-${randomUUID().slice(0, 8)}`);
  log(`starting the platform in ${dataDir} ...`);
  const { platform: running } = await openShop(dataDir, {});
  const password = (
    JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>
  )['admin-password'];
  return {
    gateway: running.state.gateway,
    password: password ?? '',
    stop: async () => {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A failure for the JSON report: its curl command, and a body that is not text as base64. */
function asJson(gateway: string, failure: Failure) {
  const { body } = failure.request;
  const request =
    body instanceof Uint8Array
      ? { ...failure.request, body: { base64: Buffer.from(body).toString('base64') } }
      : failure.request;
  return { ...failure, request, curl: curl(gateway, failure.request) };
}

const target = await platform();
let failed = true;
try {
  const { document, session, known } = await prepare(target.gateway, {
    email: process.env.ADMIN_EMAIL ?? 'admin@platform.local',
    password: target.password,
  });
  session.keepFresh(log);
  const regressions = new Prober({ gateway: target.gateway, document, token: session.token });
  for (const request of REGRESSIONS) await regressions.probe(withKnownIds(request, known.lookup));
  regressions.close();
  log(
    `regressions: ${REGRESSIONS.length} requests, ${regressions.failures.size} failures; fuzzing with seed ${seed} ...`,
  );
  const report = await fuzz({
    gateway: target.gateway,
    document,
    token: session.token,
    known: known.lookup,
    runs: numbers.runs,
    seed,
    concurrency: numbers.concurrency,
    ...(budgetMs !== undefined ? { budgetMs } : {}),
    ...(only ? { only } : {}),
    progress: log,
  });
  session.stop();
  const failures = [...regressions.failures.values()];
  if (failures.length)
    process.stdout.write(`Regressions:\n\n${describeFailures(target.gateway, failures)}\n\n`);
  process.stdout.write(`${describeReport(target.gateway, report)}\n`);
  if (values.json) {
    const readable = (list: Failure[]) => list.map((failure) => asJson(target.gateway, failure));
    const whole = { ...report, regressions: readable(failures), failures: readable(report.failures) };
    writeFileSync(values.json, JSON.stringify(whole, null, 2));
  }
  failed = failures.length + report.failures.length > 0;
} finally {
  await target.stop();
}
process.exit(failed ? 1 : 0);
