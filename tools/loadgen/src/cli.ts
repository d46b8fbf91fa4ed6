// `npm run load`: setup off the clock, the open-model run with a progress line a
// second, then the reports (JSON and HTML) and the verdict table. `--help` lists
// every option. Ctrl-C ends the run early; what was measured is still reported.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machineDetails } from '../../../bench/machine.ts';
import { AccountPool } from './accounts.ts';
import { Gateway } from './client.ts';
import { loadMix, type Mix, MixError } from './mix.ts';
import { HELP, type Options, parseOptions, UsageError } from './options.ts';
import {
  RAISED_LIMITS_COMMAND,
  RATE_LIMIT_ADVICE,
  runningPlatform,
  startPlatform,
  type Target,
} from './platform.ts';
import { PlatformSampler, platformUse } from './processes.ts';
import { progressLine } from './progress.ts';
import { reportPage } from './report-html.ts';
import { buildReport, type LoadReport } from './report-json.ts';
import { summaryText } from './report-text.ts';
import { LoadRun, type RunHooks } from './run.ts';
import { prepare, SetupError } from './setup.ts';
import { exitCodeFor, loadSlo, type Slo, SloError } from './slo.ts';

const EXIT = { usage: 2, failed: 3 } as const;

/** What went wrong, with its cause (fetch's "fetch failed" says nothing alone); a stack only for a bug. */
function failure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const why = cause ? ` (${cause.code ?? cause.message})` : '';
  return error instanceof SetupError || cause ? `${error.message}${why}` : (error.stack ?? error.message);
}
const log = (line: string) => process.stderr.write(`${line}\n`);

function inputs(argv: string[]): { options: Options; mix: Mix; slo: Slo } {
  try {
    const options = parseOptions(argv);
    if (options.help) {
      process.stdout.write(HELP);
      process.exit(0);
    }
    return { options, mix: loadMix(options.mixFile), slo: loadSlo(options.sloFile) };
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof MixError || error instanceof SloError)) throw error;
    log(`${error.message}\n(npm run load -- --help lists the options)`);
    process.exit(EXIT.usage);
  }
}

function writeReports(report: LoadReport, out: string): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${out}.html`, reportPage(report));
  process.stdout.write(`\n${summaryText(report)}\n\nReports: ${out}.json, ${out}.html\n`);
}

/** Setup, then the run with its progress line; Ctrl-C stops the arrivals. */
async function loadRun(
  target: Target,
  gateway: Gateway,
  options: Options,
  mix: Mix,
  onRateLimited: () => void,
) {
  const prepared = await prepare({
    gateway: target.gateway,
    admin: target.admin,
    shoppers: options.shoppers,
    seed: options.seed,
    log,
    onRateLimited,
  });
  const accounts = new AccountPool(prepared.accounts, gateway);
  accounts.keepFresh((message) => log(`could not renew the shoppers' tokens: ${message}`));
  const { rate, durationMs, warmupMs, seed } = options;
  log(
    `running ${rate} req/s for ${durationMs / 1000} s after ${warmupMs / 1000} s of warm-up (seed ${seed}) ...`,
  );
  // The platform's processes, sampled as the measured window opens and as it closes.
  const sampler = PlatformSampler.forPlatform(target.dataDir, target.gateway);
  const samples: Array<ReturnType<PlatformSampler['sample']>> = [];
  const onSecond: RunHooks['onSecond'] = (second, totals) => {
    log(progressLine(second, totals));
    const wanted = samples.length === 0 ? 'measured' : samples.length === 1 ? 'drain' : undefined;
    if (sampler && second.phase === wanted) samples.push(sampler.sample());
  };
  const run = new LoadRun(
    { ...options },
    { gateway, mix, catalog: prepared.catalog, accounts },
    { onSecond, onRateLimited },
  );
  process.once('SIGINT', () => {
    log('stopping the run (Ctrl-C): draining what is in flight, then the report ...');
    run.stop();
  });
  try {
    const result = await run.run();
    if (sampler && samples.length === 1) samples.push(sampler.sample());
    const [start, end] = samples;
    const platform =
      start && end
        ? platformUse(start, end)
        : { unavailable: `no platform on this machine in ${target.dataDir} serves ${target.gateway}` };
    return { result, platform };
  } finally {
    accounts.stop();
  }
}

async function measure(target: Target, options: Options, mix: Mix, slo: Slo): Promise<number> {
  const machine = machineDetails();
  let rateLimited = false;
  const onRateLimited = () => {
    if (!rateLimited && !options.start) log(`\n${RATE_LIMIT_ADVICE}\n`);
    rateLimited = true;
  };
  const gateway = new Gateway(target.gateway, {
    connections: options.connections,
    timeoutMs: options.timeoutMs,
  });
  try {
    const { result, platform } = await loadRun(target, gateway, options, mix, onRateLimited);
    const rateLimitAdvice = RATE_LIMIT_ADVICE;
    const report = buildReport({
      options,
      mix,
      slo,
      result,
      rateLimited,
      rateLimitAdvice,
      machine,
      platform,
    });
    writeReports(report, options.out);
    return exitCodeFor(report.verdicts);
  } finally {
    await gateway.close();
  }
}

const { options, mix, slo } = inputs(process.argv.slice(2));
let target: Target;
try {
  target = options.start ? await startPlatform(log) : runningPlatform(options.gateway);
} catch (error) {
  log(`could not reach a platform: ${(error as Error).message}`);
  process.exit(EXIT.failed);
}
if (!options.start)
  log(
    `against ${target.gateway}: its rate limits must be raised for a load test, as started with\n  ${RAISED_LIMITS_COMMAND}`,
  );
let code: number = EXIT.failed;
try {
  code = await measure(target, options, mix, slo);
} catch (error) {
  log(`the run failed: ${failure(error)}`);
} finally {
  await target.stop();
}
process.exit(code);
