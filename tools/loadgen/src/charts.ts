// Line and bar charts as inline SVG strings, drawn when the report is written: the
// page needs no script and no asset to show them. Series differ by dash pattern as
// well as colour (Okabe-Ito, readable with every common colour-vision deficiency),
// and lines carry their names at their right end, so no colour has to be matched
// against a legend.
import { formatMs } from './progress.ts';

export const PALETTE = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  sky: '#56B4E9',
  black: '#000000',
  grey: '#777777',
  yellow: '#B59A00',
} as const;
export const DASHES = ['', '7 4', '2 3', '10 3 2 3'] as const;

/** A short sample of a line's stroke, for tables that name what a chart draws. */
export function swatch(color: string, dash: string): string {
  const pattern = dash ? ` stroke-dasharray="${dash}"` : '';
  return `<svg class="swatch" viewBox="0 0 28 8" width="28" height="8" aria-hidden="true"><line x1="0" x2="28" y1="4" y2="4" stroke="${color}" stroke-width="2.5"${pattern}/></svg>`;
}

export interface Tick {
  value: number;
  label: string;
}
export interface Axis {
  min: number;
  max: number;
  log?: boolean;
  ticks: Tick[];
  title: string;
}
export interface Series {
  name: string;
  /** [x, y]; a null y breaks the line. */
  points: Array<[number, number | null]>;
  color: string;
  dash?: string;
  width?: number;
}
export interface Threshold {
  value: number;
  label: string;
  color: string;
  dash: string;
}
export interface Band {
  from: number;
  to: number;
  label: string;
}
export interface Hover {
  from: number;
  to: number;
  text: string;
}
export interface ChartSpec {
  label: string;
  width?: number;
  height?: number;
  x: Axis;
  y: Axis;
  series?: Series[];
  bars?: { points: Array<[number, number]>; color: string; width: number };
  thresholds?: Threshold[];
  bands?: Band[];
  hovers?: Hover[];
  /** Written across an empty chart. */
  message?: string;
}

const MARGIN = { top: 14, right: 150, bottom: 46, left: 64 };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const niceStep = (span: number, count: number) => {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
};

export function linearTicks(min: number, max: number, format: (value: number) => string, count = 6): Tick[] {
  const step = niceStep(Math.max(max - min, 1e-9), count);
  const ticks: Tick[] = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step / 1e6; value += step)
    ticks.push({ value, label: format(Math.round(value * 1e6) / 1e6) });
  return ticks;
}

/** Decades, with 2 and 5 between them when the range is short; the axis spans whole ticks. */
export function logAxis(low: number, high: number, title: string): Axis {
  const from = Math.floor(Math.log10(Math.max(low, 0.01)));
  const to = Math.ceil(Math.log10(Math.max(high, low * 10, 0.1)));
  const multiples = to - from <= 4 ? [1, 2, 5] : [1];
  const ticks: Tick[] = [];
  for (let decade = from; decade <= to; decade++)
    for (const m of multiples) {
      const value = m * 10 ** decade;
      if (value <= 10 ** to + 1e-12) ticks.push({ value, label: formatMs(value) });
    }
  return { min: 10 ** from, max: 10 ** to, log: true, ticks, title };
}

function scale(axis: Axis, from: number, to: number): (value: number) => number {
  const f = (v: number) => (axis.log ? Math.log10(v) : v);
  const [lo, hi] = [f(axis.min), f(axis.max)];
  return (value) => from + ((f(value) - lo) / (hi - lo || 1)) * (to - from);
}

const fixed = (n: number) => n.toFixed(1);

function gridAndAxes(
  spec: ChartSpec,
  sx: (v: number) => number,
  sy: (v: number) => number,
  w: number,
  h: number,
) {
  const parts: string[] = [];
  for (const tick of spec.y.ticks) {
    const y = fixed(sy(tick.value));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${w - MARGIN.right}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(tick.label)}</text>`,
    );
  }
  for (const tick of spec.x.ticks) {
    const x = fixed(sx(tick.value));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${h - MARGIN.bottom}"/>`);
    parts.push(
      `<text class="tick" x="${x}" y="${h - MARGIN.bottom + 16}" text-anchor="middle">${escapeHtml(tick.label)}</text>`,
    );
  }
  const midY = (MARGIN.top + h - MARGIN.bottom) / 2;
  parts.push(
    `<text class="axis-title" x="${(MARGIN.left + w - MARGIN.right) / 2}" y="${h - 8}" text-anchor="middle">${escapeHtml(spec.x.title)}</text>`,
    `<text class="axis-title" transform="translate(14 ${midY}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.y.title)}</text>`,
    `<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${w - MARGIN.left - MARGIN.right}" height="${h - MARGIN.top - MARGIN.bottom}"/>`,
  );
  return parts.join('');
}

function path(series: Series, sx: (v: number) => number, sy: (v: number) => number, log: boolean): string {
  let d = '';
  let pen = false;
  for (const [x, y] of series.points) {
    if (y === null || (log && y <= 0)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${fixed(sx(x))} ${fixed(sy(y))}`;
    pen = true;
  }
  const dash = series.dash ? ` stroke-dasharray="${series.dash}"` : '';
  return `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="${series.width ?? 2}"${dash} stroke-linejoin="round"/>`;
}

/** Names in the right margin, each at the height where its line ends, moved apart so none sits on another. */
function endLabels(series: Series[], sy: (v: number) => number, edge: number, log: boolean) {
  const labels = series
    .map((s) => {
      const last = [...s.points].reverse().find(([, y]) => y !== null && (!log || y > 0));
      return last ? { s, y: sy(last[1] as number) } : undefined;
    })
    .filter((label) => label !== undefined)
    .sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) {
    const [before, label] = [labels[i - 1], labels[i]];
    if (before && label && label.y - before.y < 14) label.y = before.y + 14;
  }
  return labels
    .map(({ s, y }) => {
      const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
      return `<line x1="${fixed(edge + 6)}" x2="${fixed(edge + 30)}" y1="${fixed(y)}" y2="${fixed(y)}" stroke="${s.color}" stroke-width="${s.width ?? 2}"${dash}/><text class="label" x="${fixed(edge + 34)}" y="${fixed(y)}" dominant-baseline="middle">${escapeHtml(s.name)}</text>`;
    })
    .join('');
}

function thresholds(spec: ChartSpec, sy: (v: number) => number, w: number): string {
  return (spec.thresholds ?? [])
    .filter((t) => t.value >= spec.y.min && t.value <= spec.y.max)
    .map((t) => {
      const y = fixed(sy(t.value));
      return `<line x1="${MARGIN.left}" x2="${w - MARGIN.right}" y1="${y}" y2="${y}" stroke="${t.color}" stroke-width="1.5" stroke-dasharray="${t.dash}"/><text class="threshold" x="${MARGIN.left + 6}" y="${Number(y) - 5}" fill="${t.color}">${escapeHtml(t.label)}</text>`;
    })
    .join('');
}

function barsOf(
  bars: NonNullable<ChartSpec['bars']>,
  sx: (v: number) => number,
  sy: (v: number) => number,
  bottom: number,
): string {
  return bars.points
    .filter(([, v]) => v > 0)
    .map(([x, v]) => {
      const width = Math.max(1, sx(x + bars.width / 2) - sx(x - bars.width / 2) - 1);
      return `<rect x="${fixed(sx(x) - width / 2)}" y="${fixed(sy(v))}" width="${fixed(width)}" height="${fixed(bottom - sy(v))}" fill="${bars.color}"/>`;
    })
    .join('');
}

export function chart(spec: ChartSpec): string {
  const w = spec.width ?? 960;
  const h = spec.height ?? 320;
  const sx = scale(spec.x, MARGIN.left, w - MARGIN.right);
  const sy = scale(spec.y, h - MARGIN.bottom, MARGIN.top);
  const bottom = h - MARGIN.bottom;
  const bands = (spec.bands ?? [])
    .map(
      (b) =>
        `<rect class="band" x="${fixed(sx(b.from))}" y="${MARGIN.top}" width="${fixed(sx(b.to) - sx(b.from))}" height="${bottom - MARGIN.top}"/><text class="tick" x="${fixed((sx(b.from) + sx(b.to)) / 2)}" y="${MARGIN.top + 12}" text-anchor="middle">${escapeHtml(b.label)}</text>`,
    )
    .join('');
  const bars = spec.bars ? barsOf(spec.bars, sx, sy, bottom) : '';
  const lines = (spec.series ?? []).map((s) => path(s, sx, sy, spec.y.log === true)).join('');
  const hovers = (spec.hovers ?? [])
    .map(
      (hv) =>
        `<rect class="hover" x="${fixed(sx(hv.from))}" y="${MARGIN.top}" width="${fixed(Math.max(1, sx(hv.to) - sx(hv.from)))}" height="${bottom - MARGIN.top}"><title>${escapeHtml(hv.text)}</title></rect>`,
    )
    .join('');
  const message = spec.message
    ? `<text class="message" x="${(MARGIN.left + w - MARGIN.right) / 2}" y="${(MARGIN.top + bottom) / 2}" text-anchor="middle" dominant-baseline="middle">${escapeHtml(spec.message)}</text>`
    : '';
  return `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(spec.label)}" class="chart">${bands}${gridAndAxes(spec, sx, sy, w, h)}${bars}${thresholds(spec, sy, w)}${lines}${endLabels(spec.series ?? [], sy, w - MARGIN.right, spec.y.log === true)}${message}${hovers}</svg>`;
}
