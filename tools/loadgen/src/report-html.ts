// The report people read: one self-contained HTML file (styles and charts inline, no
// script needed, nothing fetched), verdicts first, then the figures over time, the
// distribution per route class, the tables, and how the run was made. The report's
// JSON is embedded too, for anyone who wants to redraw it.
import { escapeHtml, swatch } from './charts.ts';
import { formatMs } from './progress.ts';
import { classStyle, errorsChart, latencyChart, spectrumChart, throughputChart } from './report-charts.ts';
import type { LoadReport } from './report-json.ts';
import type { Verdict } from './slo.ts';

const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: var(--ink); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 4px; }
.sub, .caption { color: var(--muted); font-size: 13px; margin: 0 0 12px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 16px 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.tile b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
.tile span { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid #eaeef2; text-align: right; vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); border-bottom: 2px solid var(--line); }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td:not(.text):not(.sample) { white-space: nowrap; }
td.sample { text-align: left; font-family: ui-monospace, Menlo, monospace; font-size: 12px; max-width: 420px; overflow-wrap: anywhere; }
.verdict { display: inline-block; white-space: nowrap; min-width: 96px; padding: 2px 8px; border-radius: 999px; font-weight: 600; font-size: 13px; text-align: center; border: 1.5px solid; }
.verdict.met { background: #e6f4ea; color: #0b5d2b; } .verdict.at-risk { background: #fff3cd; color: #6b4700; }
.verdict.breached { background: #fde2dd; color: #8f1d00; } .verdict.skipped { background: #eef0f2; color: #444c56; }
td.over { background: #fff3cd; font-weight: 600; }
.swatch { vertical-align: middle; margin-right: 8px; }
.note { border-left: 4px solid #b08800; background: #fff8e1; padding: 8px 12px; margin: 8px 0; white-space: pre-wrap; }
svg.chart { width: 100%; height: auto; display: block; font-size: 12px; }
svg .grid { stroke: #e6e9ed; } svg .frame { fill: none; stroke: #aab2bb; }
svg .tick { fill: #57606a; } svg .axis-title { fill: #1b1f24; font-size: 13px; }
svg .label { fill: #1b1f24; font-size: 12px; } svg .threshold { font-size: 12px; font-weight: 600; }
svg .threshold, svg .label { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .message { fill: #57606a; font-size: 14px; }
svg .band { fill: #f0f1f3; } svg .hover { fill: transparent; } svg .hover:hover { fill: rgba(0, 0, 0, .05); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; font-size: 14px; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
`;

const ICON: Record<Verdict['verdict'], string> = {
  met: '✓ met',
  'at-risk': '! at risk',
  breached: '✗ breached',
  skipped: '– skipped',
};
const number = (value: number) => value.toLocaleString('en-US');

function rows(head: string[], body: string[][], classes: string[] = []): string {
  const th = head.map((h, i) => `<th class="${classes[i] ?? ''}">${h}</th>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}
const td = (text: string | number, css = '') =>
  `<td${css ? ` class="${css}"` : ''}>${escapeHtml(String(text))}</td>`;

function verdicts(report: LoadReport): string {
  const body = report.verdicts.map((v) => {
    const [good, bad] = v.metric === 'throughput' ? ['>', '<'] : ['<', '>'];
    return [
      td(`${v.name}${v.class ? ` (${v.class})` : ''}`),
      td(v.value === null ? '–' : `${Math.round(v.value * 100) / 100} ${v.unit}`),
      td(`${good} ${v.objective} ${v.unit}`),
      td(`${bad} ${v.alert} ${v.unit}`),
      `<td class="text"><span class="verdict ${v.verdict}">${ICON[v.verdict]}</span></td>`,
      td(v.reason, 'text'),
    ];
  });
  return `<section aria-labelledby="slo"><h2 id="slo">Service-level objectives</h2>
<p class="caption">Met: better than the objective. At risk: the objective is missed but the alert threshold is not crossed. Breached: past the alert threshold (the run exits 1).</p>
${rows(['objective', 'measured', 'objective', 'alert threshold', 'verdict', 'why'], body, ['', '', '', '', 'text', 'text'])}</section>`;
}

function tiles(report: LoadReport): string {
  const { summary, overall, loadgen } = report;
  const tile = (value: string, label: string) =>
    `<div class="tile"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  return `<section aria-label="Summary"><div class="tiles">
${tile(`${summary.achievedRate} req/s`, `achieved, target ${summary.targetRate} req/s`)}
${tile(`${formatMs(overall.p50)} / ${formatMs(overall.p99)} ms`, `p50 / p99 of ${number(summary.answered)} answers`)}
${tile(`${formatMs(overall.max)} ms`, `slowest answer (p99.9 ${formatMs(overall['p99.9'])} ms)`)}
${tile(`${number(summary.errors)} (${summary.errorRatePercent} %)`, `errors of ${number(summary.tickets)} requests`)}
${tile(`${loadgen.cpu.percentOfOneCore} %`, `load generator CPU, of one core (${loadgen.cpu.cores} cores)`)}
</div></section>`;
}

function classTable(report: LoadReport): string {
  const p99 =
    report.slo.objectives.find((o) => o.metric === 'p99' && !o.class)?.objective ?? Number.POSITIVE_INFINITY;
  const body = Object.entries(report.classes).map(([name, c]) => {
    const { color, dash } = classStyle(name);
    const hits = c.cache.HIT ?? 0;
    const cached = Object.values(c.cache).reduce((a, b) => a + b, 0);
    return [
      `<td>${swatch(color, dash)}${escapeHtml(name)}</td>`,
      td(number(c.requests)),
      td(c.rate),
      ...[c.latency.p50, c.latency.p90].map((v) => td(formatMs(v))),
      td(`${formatMs(c.latency.p99)}${c.latency.p99 >= p99 ? ' ▲' : ''}`, c.latency.p99 >= p99 ? 'over' : ''),
      ...[c.latency['p99.9'], c.latency.max].map((v) => td(formatMs(v))),
      td(c.errors),
      td(`${c.errorRatePercent} %`),
      td(cached ? `${Math.round((hits * 100) / cached)} %` : '–'),
    ];
  });
  const o = report.overall;
  body.push([
    '<td><b>overall</b></td>',
    td(number(report.summary.tickets)),
    td(report.summary.achievedRate),
    ...[o.p50, o.p90, o.p99, o['p99.9'], o.max].map((v) => td(formatMs(v))),
    td(report.summary.errors),
    td(`${report.summary.errorRatePercent} %`),
    td(''),
  ]);
  return rows(
    [
      'route class',
      'requests',
      'rate/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'errors',
      'error %',
      'cache hits',
    ],
    body,
  );
}

function errorTable(report: LoadReport): string {
  if (!report.errors.length) return '<p>No errors.</p>';
  const body = report.errors.map((e) => [
    td(e.kind),
    td(e.status),
    td(e.routeClass, 'text'),
    td(number(e.count)),
    td(e.sample, 'sample'),
  ]);
  return rows(['kind', 'status', 'route class', 'count', 'the first one said'], body, [
    '',
    '',
    'text',
    '',
    'text',
  ]);
}

function journeyTable(report: LoadReport): string {
  const started = Object.values(report.journeys).reduce((sum, j) => sum + j.started, 0) || 1;
  const body = Object.entries(report.journeys).map(([name, j]) => [
    td(name),
    td(j.weight),
    td(`${Math.round((j.started * 1000) / started) / 10} %`),
    td(number(j.started)),
    td(number(j.completed)),
    td(number(j.failed)),
    td(number(j.cutOff)),
    td(
      Object.entries(j.outcomes)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ') || '–',
      'text',
    ),
  ]);
  return rows(
    [
      'journey',
      'weight',
      'share started',
      'started',
      'completed',
      'failed',
      'cut off by the end',
      'orders ended',
    ],
    body,
    ['', '', '', '', '', '', '', 'text'],
  );
}

function platformTable(report: LoadReport): string {
  const { platform } = report;
  if ('unavailable' in platform)
    return `<p class="caption">Not measured: ${escapeHtml(platform.unavailable)}.</p>`;
  const body = platform.processes.map((use) => [
    td(use.name),
    td(use.processes),
    td(`${use.cpuPercentOfOneCore} %`),
    td(`${use.kernelPercentOfOneCore} %`),
    td(`${use.helperThreadsPercentOfOneCore} %`),
    td(`${use.rssMiB} MiB`),
  ]);
  body.push([
    td('all of the platform'),
    td(''),
    td(`${platform.totalCpuPercentOfOneCore} %`),
    td(`${platform.totalKernelPercentOfOneCore} %`),
    td(`${platform.totalHelperThreadsPercentOfOneCore} %`),
    td(''),
  ]);
  const table = rows(
    [
      'process',
      'processes',
      'CPU, % of one core',
      'of it in the kernel',
      'in helper threads (V8, libuv)',
      'resident memory at the end',
    ],
    body,
  );
  const { machine: m } = platform;
  if (!m) return table;
  const whole = `The whole machine over the window, in % of one core: ${m.userPercentOfOneCore} in programs, ${m.kernelPercentOfOneCore} in the kernel, ${m.interruptsPercentOfOneCore} in interrupts, ${m.idlePercentOfOneCore} idle, ${m.stolenPercentOfOneCore} stolen by the host.`;
  return `${table}<p class="caption">${escapeHtml(whole)}</p>`;
}

function settings(report: LoadReport): string {
  const { settings: s, machine: m, loadgen: l } = report;
  const items: Array<[string, string]> = [
    [
      'target',
      `${s.rate} req/s (${s.shape.kind}), ${s.durationSeconds} s after ${s.warmupSeconds} s of warm-up`,
    ],
    [
      'gateway',
      `${s.gateway}${s.startedPlatform ? ' (started by the load generator, rate limits raised)' : ''}`,
    ],
    ['mix / SLO', `${s.mixFile} / ${s.sloFile}`],
    [
      'shoppers',
      `${s.shoppers} accounts, at most ${s.maxLive} live (peak ${l.peakLive}); ${s.connections} connections; timeout ${s.timeoutMs} ms; seed ${s.seed}`,
    ],
    [
      'load generator',
      `${l.cpu.userMs} ms user + ${l.cpu.systemMs} ms system CPU over the window; tickets late by p50 ${formatMs(l.schedulerLagMs.p50)}, p99 ${formatMs(l.schedulerLagMs.p99)}, max ${formatMs(l.schedulerLagMs.max)} ms`,
    ],
    [
      'machine',
      `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB (${m.freeMemoryGiB} free), load ${m.loadAverage.join(' ')}; Node ${m.node}, Linux ${m.kernel}`,
    ],
    [
      'code',
      `commit ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}; run started ${report.run.startedAt}, drained ${report.run.drainSeconds} s`,
    ],
  ];
  return `<dl>${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

export function reportPage(report: LoadReport): string {
  const title = report.title ?? `Load report: ${report.settings.rate} req/s, ${report.mix.name} mix`;
  const notes = report.notes.map((note) => `<div class="note">${escapeHtml(note)}</div>`).join('');
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(`${report.run.measuredSeconds} s measured, ${report.run.startedAt} · commit ${report.machine.commit} · ${report.machine.cores} cores`)}</p>
${verdicts(report)}
${tiles(report)}
${notes ? `<section aria-label="Notes">${notes}</section>` : ''}
<section aria-labelledby="latency"><h2 id="latency">Latency over time</h2>
<p class="caption">Percentiles of the answers that ended in each second, measured from each request's intended start (log scale). Hover a second for its figures.</p>
${latencyChart(report)}</section>
<section aria-labelledby="throughput"><h2 id="throughput">Throughput and errors over time</h2>
<p class="caption">Requests the schedule gave out (target) and answers that ended (achieved) each second; below, errors each second. Each second counts what ended in it, so a warm-up request ending in the first seconds shows here but not in the totals.</p>
${throughputChart(report)}${errorsChart(report)}</section>
<section aria-labelledby="distribution"><h2 id="distribution">Latency distribution per route class</h2>
<p class="caption">Latency at each percentile: read a line where it crosses 99 % for that class's p99. The overall line is the thick black one.</p>
${spectrumChart(report)}</section>
<section aria-labelledby="classes"><h2 id="classes">Route classes</h2>
<p class="caption">▲ marks a p99 at or over the p99 objective. Cache hits: answers the gateway served from its cache.</p>
${classTable(report)}</section>
<section aria-labelledby="errors"><h2 id="errors">Errors</h2>${errorTable(report)}</section>
<section aria-labelledby="journeys"><h2 id="journeys">Journeys</h2>
<p class="caption">Every journey of the run, warm-up included: a shopper's journey spans the window's edges.</p>
${journeyTable(report)}</section>
<section aria-labelledby="platform"><h2 id="platform">Where the platform spent the machine</h2>
<p class="caption">CPU of each process of the platform over the measured window (PostgreSQL's backends counted per database), busiest first, and the memory each held at the end: the process or database at the top is the first to saturate as the rate grows.</p>
${platformTable(report)}</section>
<section aria-labelledby="run"><h2 id="run">How this run was made</h2>${settings(report)}</section>
</main>
<script type="application/json" id="load-report">${data}</script>
</body></html>
`;
}
