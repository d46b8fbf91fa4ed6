// The platform's use over a window of the checkout bench, per confirmed order: its CPU
// and how long its processes waited for a core (tools/loadgen/src/processes.ts), and
// the wait after the saturated run until the platform is quiet again, so that the paced
// run is not measured on a machine still busy with the saturated orders' shipments.
import { type PlatformSampler, type PlatformUse, platformUse } from '../../tools/loadgen/src/processes.ts';

export type PlatformPerOrder = PlatformUse & {
  cpuMsPerConfirmedOrder: number;
  waitedForCoreMsPerConfirmedOrder: number;
};

/** The platform's use over a window, and its CPU and run-queue wait for each order confirmed in it. */
export function perOrder(used: PlatformUse | undefined, confirmed: number): PlatformPerOrder | undefined {
  if (!used) return undefined;
  const orders = Math.max(1, confirmed);
  return {
    ...used,
    cpuMsPerConfirmedOrder: Math.round((used.totalCpuPercentOfOneCore * 10 * used.measuredSeconds) / orders),
    waitedForCoreMsPerConfirmedOrder: Math.round(used.totalWaitedForCoreMs / orders),
  };
}

export interface Quiet {
  /** The platform's CPU at rest before the warm-up (its timers, pollers, the console's scrapes), % of one core. */
  restingPercentOfOneCore: number;
  /** Until the platform used under its resting CPU plus QUIET_MARGIN for QUIET_SECONDS in a row. */
  seconds: number;
  /** The platform's CPU meanwhile, quiet seconds included. */
  cpuMs: number;
  /** False when it was still busy after QUIET_WITHIN_MS (the paced run then starts anyway). */
  quiet: boolean;
  /** The processes that used most of it, % of one core over the wait. */
  busiest: string;
  /** The platform's CPU each second after `done`, % of one core. */
  perSecond: number[];
}

/** Percentage points of one core above the resting CPU that still count as quiet. */
const QUIET_MARGIN = 10;
const QUIET_SECONDS = 3;
const QUIET_WITHIN_MS = 180_000;

/** The platform's CPU over three seconds with nothing asked of it, % of one core. */
export async function restingPercent(sampler: PlatformSampler): Promise<number> {
  const first = sampler.sample();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  return platformUse(first, sampler.sample()).totalCpuPercentOfOneCore;
}

/**
 * Waits for `done` (the carrier finished with every order: the 10 s between its steps
 * look quiet), then until the platform is back near `resting` (its own timers and
 * pollers only), sampled once a second; the window counts from the call.
 */
export async function untilQuiet(
  sampler: PlatformSampler,
  resting: number,
  done: Promise<void>,
): Promise<Quiet> {
  const first = sampler.sample();
  await done;
  let last = sampler.sample();
  let calm = 0;
  const perSecond: number[] = [];
  while (calm < QUIET_SECONDS && last.at - first.at < QUIET_WITHIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = sampler.sample();
    perSecond.push(platformUse(last, now).totalCpuPercentOfOneCore);
    calm = (perSecond.at(-1) ?? 0) < resting + QUIET_MARGIN ? calm + 1 : 0;
    last = now;
  }
  const used = platformUse(first, last);
  return {
    restingPercentOfOneCore: resting,
    seconds: used.measuredSeconds,
    cpuMs: Math.round(used.totalCpuPercentOfOneCore * 10 * used.measuredSeconds),
    quiet: calm >= QUIET_SECONDS,
    busiest: used.processes
      .slice(0, 4)
      .map((entry) => `${entry.name} ${entry.cpuPercentOfOneCore}`)
      .join(', '),
    perSecond,
  };
}

/** `order 3.1 (0.4), postgres (bus) ...`: the `count` processes that waited longest, ms an order (ms a wake-up). */
export function waits(used: PlatformPerOrder, confirmed: number, count = 6): string {
  return [...used.processes]
    .sort((a, b) => b.waitedForCoreMs - a.waitedForCoreMs)
    .slice(0, count)
    .map(
      (entry) =>
        `${entry.name} ${Math.round(entry.waitedForCoreMs / Math.max(1, confirmed))} (${entry.waitPerWakeUpMs})`,
    )
    .join(', ');
}
