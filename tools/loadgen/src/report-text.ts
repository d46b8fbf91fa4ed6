// The end of a run on the terminal: the figures per route class, the errors, the
// load generator's own cost, and the verdict table last, where the eye lands.
import { formatMs } from './progress.ts';
import type { LoadReport } from './report-json.ts';
import type { Verdict } from './slo.ts';

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

const MARK: Record<Verdict['verdict'], string> = {
  met: 'met',
  'at-risk': 'AT RISK',
  breached: 'BREACHED',
  skipped: 'skipped',
};

export function verdictTable(verdicts: readonly Verdict[]): string {
  const rows = [['objective', 'measured', 'objective', 'alert', 'verdict']];
  for (const verdict of verdicts) {
    const sign = verdict.metric === 'throughput' ? '>' : '<';
    const alertSign = verdict.metric === 'throughput' ? '<' : '>';
    const scope = verdict.class ? ` (${verdict.class})` : '';
    rows.push([
      `${verdict.name}${scope}`,
      verdict.value === null ? '-' : `${Math.round(verdict.value * 100) / 100} ${verdict.unit}`,
      `${sign} ${verdict.objective} ${verdict.unit}`,
      `${alertSign} ${verdict.alert} ${verdict.unit}`,
      MARK[verdict.verdict],
    ]);
  }
  const reasons = verdicts.filter((v) => v.verdict !== 'met').map((v) => `  ${v.name}: ${v.reason}`);
  return [table(rows), ...reasons].join('\n');
}

/** The platform's busiest processes over the window, and their memory at its end. */
function platformText(report: LoadReport): string {
  const { platform } = report;
  if ('unavailable' in platform) return `Platform processes: not measured (${platform.unavailable}).`;
  const rows = [['process', 'CPU % of one core', 'of it in the kernel', 'in helper threads', 'RSS MiB']];
  for (const use of platform.processes.slice(0, 12))
    rows.push([
      use.name,
      String(use.cpuPercentOfOneCore),
      String(use.kernelPercentOfOneCore),
      String(use.helperThreadsPercentOfOneCore),
      String(use.rssMiB),
    ]);
  rows.push([
    'all of the platform',
    String(platform.totalCpuPercentOfOneCore),
    String(platform.totalKernelPercentOfOneCore),
    String(platform.totalHelperThreadsPercentOfOneCore),
    '',
  ]);
  const { machine } = platform;
  const whole = machine
    ? `The machine: ${machine.userPercentOfOneCore} % of one core in programs, ${machine.kernelPercentOfOneCore} % in the kernel, ${machine.interruptsPercentOfOneCore} % in interrupts, ${machine.idlePercentOfOneCore} % idle, ${machine.stolenPercentOfOneCore} % stolen by the host.`
    : '';
  return [table(rows), whole].filter(Boolean).join('\n');
}

export function summaryText(report: LoadReport): string {
  const { summary, overall, loadgen } = report;
  const lines = [
    `Load run: ${report.settings.rate} req/s (${report.mix.name} mix, seed ${report.settings.seed}), ${report.run.measuredSeconds} s measured after ${report.settings.warmupSeconds} s of warm-up`,
    `  ${summary.tickets} requests meant, ${summary.answered} answered: target ${summary.targetRate}/s, achieved ${summary.achievedRate}/s; ${summary.errors} errors (${summary.errorRatePercent} %)`,
    `  load generator: ${loadgen.cpu.percentOfOneCore} % of one core (${loadgen.cpu.cores} cores), ticket lateness p99 ${formatMs(loadgen.schedulerLagMs.p99)} ms, at most ${loadgen.peakLive} live shoppers`,
    '',
  ];
  const rows = [
    ['route class', 'requests', 'rate/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors'],
  ];
  const all = [
    ...Object.entries(report.classes),
    [
      'overall',
      { latency: overall, requests: summary.tickets, rate: summary.achievedRate, errors: summary.errors },
    ] as const,
  ];
  for (const [name, value] of all) {
    const { latency } = value;
    rows.push([
      name,
      String(value.requests),
      String(value.rate),
      ...[latency.p50, latency.p90, latency.p99, latency['p99.9'], latency.max].map(formatMs),
      String(value.errors),
    ]);
  }
  lines.push(table(rows), '');
  if (report.errors.length) {
    const errorRows = [['error', 'status', 'route class', 'count', 'first seen saying']];
    for (const row of report.errors.slice(0, 15))
      errorRows.push([
        row.kind,
        String(row.status),
        row.routeClass,
        String(row.count),
        row.sample.slice(0, 80),
      ]);
    lines.push(table(errorRows), '');
  }
  lines.push(platformText(report), '');
  for (const note of report.notes) lines.push(`Note: ${note}`, '');
  lines.push(verdictTable(report.verdicts));
  return lines.join('\n');
}
