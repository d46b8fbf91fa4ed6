// What one run of the checkout benchmark measured (the results file holds one per bus
// and saga mode), and its summary as printed while the benchmark runs.
import { describeLeg, describePath, type Leg, type Path } from './legs.ts';
import type { Latency } from './orders.ts';
import { type PlatformPerOrder, type Quiet, waits } from './platform-window.ts';
import type { countsPerOrder } from './statements.ts';

export interface Run {
  bus: string;
  mode: string;
  saturated: {
    orders: number;
    confirmed: number;
    confirmedPerSecond: number;
    toConfirmedMs: Latency;
    /** Each process's CPU (and wait for a core) while the saturated orders were placed and settled. */
    platform?: PlatformPerOrder;
    /**
     * After the last confirmation, until the platform was quiet: the work the orders still
     * caused (shipments moving on, their e-mails and projections), part of an order's cost
     * that confirmed orders a second does not show. It includes the bench's own asking
     * whether they were delivered (a list of orders a shopper a second): an overstatement,
     * most of all for short runs.
     */
    afterwards?: Quiet & { cpuMsPerConfirmedOrder: number };
    /** This process's own CPU meanwhile (the shoppers: HTTP clients on the same two cores), % of one core. */
    shoppersCpuPercentOfOneCore: number;
    /** Statements run and transactions committed per confirmed order, in all and per database (statements.ts). */
    perOrder: ReturnType<typeof countsPerOrder>;
  };
  paced: {
    orders: number;
    ratePerSecond: number;
    confirmed: number;
    toConfirmedMs: Latency;
    /** The same while the paced orders were placed and settled: how long processes waited for a core at that load. */
    platform?: PlatformPerOrder;
    /** Statements and commits an order at that load, where batches are small (statements.ts). */
    perOrder: ReturnType<typeof countsPerOrder>;
    /** Each bus crossing the paced orders made, leg by leg (legs.ts). */
    crossings: Leg[];
    /** The three slowest paced orders' paths: each crossing, with its legs of 20 ms or more (legs.ts). */
    slowest: Array<{ id: string; toConfirmedMs: number; path: Path }>;
  };
  placeMs: { p50: number; p99: number };
}

/** Prints `run`'s summary; `showStatements` adds each database's busiest statements an order. */
export function printRun(run: Run, showStatements: boolean): void {
  const { saturated, paced } = run;
  console.log(
    `  saturated: ${saturated.confirmed}/${saturated.orders} confirmed, ${saturated.confirmedPerSecond}/s; paced: POST→CONFIRMED p50 ${paced.toConfirmedMs.p50} ms, p99 ${paced.toConfirmedMs.p99} ms`,
  );
  const top = saturated.platform?.processes
    .slice(0, 8)
    .map((entry) => `${entry.name} ${entry.cpuPercentOfOneCore}`)
    .join(', ');
  const { statements, commits } = saturated.perOrder;
  const each = (counts: typeof statements) =>
    `${counts.total} (${Object.entries(counts.perDatabase)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')})`;
  console.log(`  an order's statements: ${each(statements)}; commits: ${each(commits)}`);
  const pacedCounts = paced.perOrder;
  console.log(
    `  paced, an order's statements: ${each(pacedCounts.statements)}; commits: ${each(pacedCounts.commits)}`,
  );
  const { rollbacks, deadlocks } = saturated.perOrder;
  console.log(`  an order's rollbacks: ${each(rollbacks)}; deadlocks in the run: ${each(deadlocks)}`);
  const { planningMs, runningMs } = saturated.perOrder;
  console.log(`  the server's ms an order, planning: ${each(planningMs)}; running: ${each(runningMs)}`);
  if (showStatements)
    for (const row of saturated.perOrder.busiestStatements)
      console.log(
        `    ${String(row.perOrder).padStart(5)} ${String(row.planningUsPerOrder).padStart(5)} µs planning ${String(row.runningUsPerOrder).padStart(6)} µs running ${row.database}: ${row.statement}`,
      );
  if (saturated.platform) {
    const {
      totalCpuPercentOfOneCore,
      totalKernelPercentOfOneCore,
      totalHelperThreadsPercentOfOneCore,
      cpuMsPerConfirmedOrder,
      machine,
    } = saturated.platform;
    console.log(
      `  platform CPU while saturated: ${totalCpuPercentOfOneCore} % of one core (${totalKernelPercentOfOneCore} in the kernel, ${totalHelperThreadsPercentOfOneCore} in the services' helper threads), ${cpuMsPerConfirmedOrder} ms an order (${top}); the shoppers ${saturated.shoppersCpuPercentOfOneCore}`,
    );
    if (machine)
      console.log(
        `  the machine meanwhile, % of one core: programs ${machine.userPercentOfOneCore}, kernel ${machine.kernelPercentOfOneCore}, interrupts ${machine.interruptsPercentOfOneCore}, idle ${machine.idlePercentOfOneCore}, stolen ${machine.stolenPercentOfOneCore}`,
      );
    if (saturated.afterwards)
      console.log(
        `  afterwards, until the platform was back near its resting ${saturated.afterwards.restingPercentOfOneCore} %${saturated.afterwards.quiet ? '' : ' (it was not: given up)'}: ${saturated.afterwards.seconds} s, ${saturated.afterwards.cpuMsPerConfirmedOrder} ms of CPU an order more (shipments moving on, their e-mails and projections; ${saturated.afterwards.busiest}); each second: ${saturated.afterwards.perSecond.join(' ')}`,
      );
    console.log(
      `  waited for a core while saturated: ${saturated.platform.waitedForCoreMsPerConfirmedOrder} ms an order, all processes (ms an order, ms a wake-up: ${waits(saturated.platform, saturated.confirmed)})`,
    );
  }
  if (paced.platform)
    console.log(
      `  while paced: platform CPU ${paced.platform.totalCpuPercentOfOneCore} % of one core (${paced.platform.totalHelperThreadsPercentOfOneCore} in helper threads), the machine idle ${paced.platform.machine?.idlePercentOfOneCore ?? '?'} %; waited for a core ${paced.platform.waitedForCoreMsPerConfirmedOrder} ms an order (${waits(paced.platform, paced.confirmed)})`,
    );
  console.log(`  paced orders' bus crossings, where the time went (ms, p50/p90):`);
  for (const leg of paced.crossings) console.log(describeLeg(leg));
  console.log(`  the slowest paced orders, each crossing's legs of 20 ms or more:`);
  for (const order of paced.slowest) console.log(describePath(order.id, order.toConfirmedMs, order.path));
}
