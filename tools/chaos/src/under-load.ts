// A fault under load: the load generator's storefront mix (checkouts included) runs
// against the platform while a scenario injects its faults; what it measured becomes a
// load report with the fault windows shaded on its plots.
import { machineDetails } from '../../../bench/machine.ts';
import { AccountPool } from '../../loadgen/src/accounts.ts';
import { Gateway } from '../../loadgen/src/client.ts';
import { loadMix } from '../../loadgen/src/mix.ts';
import { parseOptions } from '../../loadgen/src/options.ts';
import { buildReport, type LoadReport } from '../../loadgen/src/report-json.ts';
import { LoadRun } from '../../loadgen/src/run.ts';
import { prepare } from '../../loadgen/src/setup.ts';
import { loadSlo } from '../../loadgen/src/slo.ts';

export interface FaultWindow {
  /** Seconds into the measured window. */
  from: number;
  to: number;
  label: string;
  /** What went wrong in it, if the scenario's criterion broke there. */
  failure?: string;
  /** What was measured in it (how soon a breaker opened, a p99 while the fault was on). */
  figures?: Record<string, number>;
}

/** What a scenario's injector gets: when the measured window opened, and a clock on it. */
export interface FaultClock {
  /** Seconds since the measured window opened. */
  now(): number;
  /** Resolves at `seconds` into the measured window (at once if that has passed). */
  at(seconds: number): Promise<void>;
}

export async function runUnderLoad(
  target: { gateway: string; adminPassword: string },
  load: { rate: number; durationS: number; shoppers: number },
  inject: (clock: FaultClock) => Promise<FaultWindow[]>,
  log: (line: string) => void,
): Promise<{ report: LoadReport; faults: FaultWindow[] }> {
  const options = parseOptions([
    `--gateway=${target.gateway}`,
    `--rate=${load.rate}`,
    `--duration=${load.durationS}`,
    '--warmup=5',
    `--shoppers=${load.shoppers}`,
    '--timeout=10000',
  ]);
  const mix = loadMix(options.mixFile);
  const prepared = await prepare({
    gateway: target.gateway,
    admin: { email: 'admin@platform.local', password: target.adminPassword },
    shoppers: options.shoppers,
    seed: options.seed,
    log,
    onRateLimited: () => log('the gateway answered 429: rate limits in the way'),
  });
  const gateway = new Gateway(target.gateway, {
    connections: options.connections,
    timeoutMs: options.timeoutMs,
  });
  const accounts = new AccountPool(prepared.accounts, gateway);
  accounts.keepFresh((message) => log(`could not renew the shoppers' tokens: ${message}`));
  const run = new LoadRun({ ...options }, { gateway, mix, catalog: prepared.catalog, accounts }, {});
  const opened = Date.now() + options.warmupMs;
  const clock: FaultClock = {
    now: () => (Date.now() - opened) / 1000,
    at: (seconds) =>
      new Promise((resolve) => setTimeout(resolve, Math.max(0, opened + seconds * 1000 - Date.now()))),
  };
  try {
    const [result, faults] = await Promise.all([run.run(), inject(clock)]);
    const report = buildReport({
      options,
      mix,
      slo: loadSlo(options.sloFile),
      result,
      rateLimited: false,
      rateLimitAdvice: '',
      machine: machineDetails(),
    });
    return { report: { ...report, faults }, faults };
  } finally {
    accounts.stop();
    await gateway.close();
  }
}
