// A line chart as SVG, drawn on the server: time along, value up, one line per series,
// the latest values in words for anyone who cannot see it.
import { type Html, html, trusted } from '@platform/web';

export interface Line {
  name: string;
  points: Array<[at: number, value: number | null]>;
}

const WIDTH = 320;
const HEIGHT = 120;
const PAD = 28;
const COLOURS = ['#0b57d0', '#a50e0e', '#146c2e', '#8a4b00', '#5e35b1', '#00695c'];

function format(value: number, unit: string): string {
  if (unit === '%') return `${(value * 100).toFixed(value < 0.01 ? 2 : 1)} %`;
  if (unit === 'ms') return `${(value * 1000).toFixed(value < 0.01 ? 1 : 0)} ms`;
  return value < 10 ? value.toFixed(1) : Math.round(value).toString();
}

export function lineChart(title: string, unit: string, lines: Line[]): Html {
  const all = lines.flatMap((l) => l.points);
  const times = all.map(([at]) => at);
  const values = all.flatMap(([, v]) => (v === null ? [] : [v]));
  if (values.length === 0)
    return html`<figure class="chart"><figcaption>${title}: no data yet (a point every 5 s)</figcaption></figure>`;
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const top = Math.max(...values) || 1;
  const x = (at: number) => PAD + ((at - t0) / Math.max(1, t1 - t0)) * (WIDTH - PAD - 4);
  const y = (v: number) => HEIGHT - 16 - (v / top) * (HEIGHT - 24);
  const paths = lines.map((line, i) => {
    const d = line.points
      .map(([at, v], j) =>
        v === null
          ? ''
          : `${j === 0 || line.points[j - 1]?.[1] === null ? 'M' : 'L'}${x(at).toFixed(1)},${y(v).toFixed(1)}`,
      )
      .join(' ');
    return trusted(`<path d="${d}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.6"/>`);
  });
  const latest = lines.map((l) => {
    const last = [...l.points].reverse().find(([, v]) => v !== null)?.[1];
    return `${l.name} ${last === undefined || last === null ? '-' : format(last, unit)}`;
  });
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}: ${latest.join(', ')}">
<line x1="${PAD}" y1="${HEIGHT - 16}" x2="${WIDTH - 4}" y2="${HEIGHT - 16}" stroke="#c8c8c8"/>
<text x="2" y="12" font-size="10">${format(top, unit)}</text><text x="2" y="${HEIGHT - 16}" font-size="10">0</text>
${paths}
</svg>
<figcaption>${title}: ${latest.map((text, i) => html`<span class="series-${i}">${text}</span> `)}</figcaption>
</figure>`;
}
