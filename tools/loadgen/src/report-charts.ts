// The report's four charts, from its data: latency percentiles per second (log scale,
// with the SLO's lines), target and achieved throughput, errors per second, and the
// latency distribution of each route class as a percentile spectrum (HdrHistogram's
// plot: the x axis stretches the tail so 99 %, 99.9 % and 99.99 % get equal room).
import {
  type Axis,
  chart,
  DASHES,
  type Hover,
  linearTicks,
  logAxis,
  PALETTE,
  type Series,
  type Threshold,
} from './charts.ts';
import { formatMs } from './progress.ts';
import type { LoadReport } from './report-json.ts';

const LATENCY_METRICS = ['p50', 'p90', 'p99', 'p99.9', 'max'];

/** The SLO's lines on a chart of `kind`: each objective and alert threshold, labelled. */
function sloLines(report: LoadReport, kind: 'latency' | 'throughput'): Threshold[] {
  const lines: Threshold[] = [];
  for (const objective of report.slo.objectives) {
    if (objective.class) continue;
    const latency = LATENCY_METRICS.includes(objective.metric);
    if (kind === 'latency' ? !latency : objective.metric !== 'throughput') continue;
    const unit = latency ? 'ms' : 'req/s';
    const [good, bad] = latency ? ['<', '>'] : ['>', '<'];
    lines.push(
      {
        value: objective.objective,
        label: `${objective.metric} objective ${good} ${objective.objective} ${unit}`,
        color: PALETTE.black,
        dash: '6 4',
      },
      {
        value: objective.alert,
        label: `${objective.metric} alert threshold ${bad} ${objective.alert} ${unit}`,
        color: PALETTE.black,
        dash: '14 4 2 4',
      },
    );
  }
  return lines;
}

function timeAxis(report: LoadReport): Axis {
  const last = Math.max(report.settings.durationSeconds, ...report.seconds.map((s) => s.at));
  return {
    min: 0,
    max: last,
    ticks: linearTicks(0, last, (v) => String(v), 10),
    title: 'seconds into the measured window',
  };
}

function hovers(report: LoadReport): Hover[] {
  return report.seconds.map((s) => ({
    from: s.at - 1,
    to: s.at,
    text: `${s.at} s${s.phase === 'drain' ? ' (drain)' : ''}: target ${s.target}/s, achieved ${s.achieved}/s, p50 ${formatMs(s.p50)} ms, p90 ${formatMs(s.p90)} ms, p99 ${formatMs(s.p99)} ms, max ${formatMs(s.max)} ms, errors ${s.errors}, live shoppers ${s.live}, connections ${s.connections}${s.queued ? `, ${s.queued} requests waiting for one` : ''}`,
  }));
}

/** The drain after the measured window, and each fault's window, shaded. */
function bands(report: LoadReport) {
  const last = report.seconds.at(-1)?.at ?? 0;
  const drain =
    last > report.settings.durationSeconds
      ? [{ from: report.settings.durationSeconds, to: last, label: 'drain' }]
      : [];
  return [...drain, ...(report.faults ?? [])];
}

export function latencyChart(report: LoadReport): string {
  const at = (key: 'p50' | 'p90' | 'p99' | 'max') =>
    report.seconds.map((s): [number, number | null] => [s.at - 0.5, s[key]]);
  const series: Series[] = [
    { name: 'max', points: at('max'), color: PALETTE.grey, dash: DASHES[2], width: 1.5 },
    { name: 'p99', points: at('p99'), color: PALETTE.orange, width: 2.5 },
    { name: 'p90', points: at('p90'), color: PALETTE.green, dash: DASHES[1] },
    { name: 'p50', points: at('p50'), color: PALETTE.blue, width: 2 },
  ];
  const thresholds = sloLines(report, 'latency');
  const values = series
    .flatMap((s) => s.points.map(([, y]) => y))
    .filter((y): y is number => y !== null && y > 0);
  const high = Math.max(...values, ...thresholds.map((t) => t.value), 1);
  return chart({
    label: 'Latency percentiles per second, log scale, with the SLO lines',
    x: timeAxis(report),
    y: logAxis(Math.min(...values, high) * 0.9, high * 1.1, 'latency, ms (log scale)'),
    series,
    thresholds,
    bands: bands(report),
    hovers: hovers(report),
  });
}

export function throughputChart(report: LoadReport): string {
  const target = report.seconds.map((s): [number, number] => [s.at - 0.5, s.target]);
  const achieved = report.seconds.map((s): [number, number] => [s.at - 0.5, s.achieved]);
  const top = Math.max(1, ...target.map(([, y]) => y), ...achieved.map(([, y]) => y));
  // An objective far above what the run aimed at would flatten the lines: it is left
  // off the chart then (the verdict table says why it was not judged).
  const thresholds = sloLines(report, 'throughput').filter((t) => t.value <= top * 1.5);
  const max = Math.max(top, ...thresholds.map((t) => t.value)) * 1.15;
  return chart({
    label: 'Target and achieved requests per second',
    height: 280,
    x: timeAxis(report),
    y: { min: 0, max, ticks: linearTicks(0, max, (v) => String(v)), title: 'requests per second' },
    series: [
      { name: 'target', points: target, color: PALETTE.black, dash: DASHES[1], width: 1.5 },
      { name: 'achieved', points: achieved, color: PALETTE.blue, width: 2.5 },
    ],
    thresholds,
    bands: bands(report),
    hovers: hovers(report),
  });
}

export function errorsChart(report: LoadReport): string {
  const points = report.seconds.map((s): [number, number] => [s.at - 0.5, s.errors]);
  const max = Math.max(1, ...points.map(([, y]) => y)) * 1.15;
  return chart({
    label: 'Errors per second',
    height: 190,
    x: timeAxis(report),
    y: { min: 0, max, ticks: linearTicks(0, max, (v) => String(v), 4), title: 'errors / s' },
    bars: { points, color: PALETTE.vermillion, width: 1 },
    ...(points.every(([, errors]) => errors === 0) ? { message: 'no errors' } : {}),
    bands: bands(report),
    hovers: hovers(report),
  });
}

/** Where percentile p sits on the spectrum's axis: 90 % at 1, 99 % at 2, 99.9 % at 3. */
const nines = (p: number) => Math.log10(100 / (100 - p));
const SPECTRUM_TICKS = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%'];
/** Stands for the right edge until the axis is known. */
const SPECTRUM_EDGE = Number.POSITIVE_INFINITY;
/** Each route class's line, the same in every report: nine distinct colour and dash pairs. */
const CLASS_STYLES: Record<string, { color: string; dash: string }> = {
  'browse-category': { color: PALETTE.blue, dash: DASHES[0] },
  search: { color: PALETTE.orange, dash: DASHES[1] },
  product: { color: PALETTE.green, dash: DASHES[0] },
  availability: { color: PALETTE.sky, dash: DASHES[1] },
  'sign-in': { color: PALETTE.purple, dash: DASHES[2] },
  'cart-add': { color: PALETTE.vermillion, dash: DASHES[0] },
  'cart-view': { color: PALETTE.yellow, dash: DASHES[1] },
  checkout: { color: PALETTE.purple, dash: DASHES[0] },
  'order-status': { color: PALETTE.blue, dash: DASHES[3] },
};

export function classStyle(name: string): { color: string; dash: string } {
  return CLASS_STYLES[name] ?? { color: PALETTE.grey, dash: DASHES[2] };
}

export function spectrumChart(report: LoadReport): string {
  // Past its last percentile a class's latency is its maximum: the line runs on flat to
  // the right edge, so every line ends there, beside its name.
  const curve = (spectrum: Array<[number, number]>): Array<[number, number]> => {
    const points = spectrum.filter(([p]) => p < 100).map(([p, ms]): [number, number] => [nines(p), ms]);
    const max = spectrum.at(-1)?.[1];
    return max === undefined ? points : [...points, [SPECTRUM_EDGE, max]];
  };
  const series: Series[] = Object.entries(report.classes).map(([name, value]) => ({
    name,
    points: curve(value.latency.spectrum),
    ...classStyle(name),
    width: 1.75,
  }));
  series.push({ name: 'overall', points: curve(report.overall.spectrum), color: PALETTE.black, width: 3 });
  const xs = series.flatMap((s) => s.points.map(([x]) => x).filter((x) => x < SPECTRUM_EDGE));
  const right = Math.min(5, Math.max(2, Math.ceil(Math.max(...xs, 0))));
  for (const s of series) for (const point of s.points) if (point[0] === SPECTRUM_EDGE) point[0] = right;
  const values = series
    .flatMap((s) => s.points.map(([, y]) => y))
    .filter((y): y is number => y !== null && y > 0);
  const thresholds = sloLines(report, 'latency');
  const high = Math.max(...values, ...thresholds.map((t) => t.value), 1);
  return chart({
    label: 'Latency by percentile for each route class',
    height: 380,
    x: {
      min: 0,
      max: right,
      ticks: SPECTRUM_TICKS.slice(0, right + 1).map((label, value) => ({ value, label })),
      title: 'percentile (each step right is one more nine)',
    },
    y: logAxis(Math.min(...values, high) * 0.9, high * 1.1, 'latency, ms (log scale)'),
    series,
    thresholds,
  });
}
