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
import { parseArgs } from 'node:util';
import { root } from '../../../test/e2e/platform.ts';
import { openShop } from '../../../test/e2e/shop.ts';
import { prepare } from './prepare.ts';
import { REGRESSIONS, withKnownIds } from './regressions.ts';
import { curl, describeFailures, describeReport } from './report.ts';
import { type Failure, fuzz, Prober } from './run.ts';

const USAGE =
  'usage: npm run fuzz -- [--runs N] [--seed S] [--gateway URL] [--concurrency C] [--only REGEX] [--minutes M] [--json FILE]';

const { values } = parseArgs({
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
const numbers = { runs: Number(values.runs), concurrency: Number(values.concurrency) };
if (!Number.isInteger(numbers.runs) || numbers.runs < 1 || !Number.isInteger(numbers.concurrency)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
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
    ...(values.minutes ? { budgetMs: Number(values.minutes) * 60_000 } : {}),
    ...(values.only ? { only: new RegExp(values.only) } : {}),
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
