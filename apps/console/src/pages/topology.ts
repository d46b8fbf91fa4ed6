// The Topology page: the services as a graph whose edges are the calls and bus hops the
// spans of the last minute show, each with its rate, error rate and p99; a service that
// is down, degraded or under a fault rule is drawn so. The table under it says the same
// for anyone who cannot see the picture.
import { escapeHtml, type Html, html, trusted } from '@platform/web';
import type { Edge, ServiceTraffic } from '../traces/topology.ts';

export interface ServiceHealth {
  service: string;
  instances: number;
  ready: number;
  /** A fault rule is set on some instance. */
  faulted: boolean;
}

/** Where each service sits, left to right in the order requests flow. */
const COLUMNS: Record<string, number> = {
  gateway: 0,
  identity: 1,
  catalog: 1,
  cart: 1,
  order: 1,
  inventory: 2,
  payment: 2,
  shipping: 2,
  notification: 3,
  analytics: 3,
  registry: 3,
};
const [W, H, BOX_W, BOX_H] = [1000, 460, 150, 54];

function layout(names: string[]): Map<string, { x: number; y: number }> {
  const columns = new Map<number, string[]>();
  for (const name of names) {
    const column = COLUMNS[name] ?? 4;
    columns.set(column, [...(columns.get(column) ?? []), name]);
  }
  const at = new Map<string, { x: number; y: number }>();
  const used = [...columns.keys()].sort((a, b) => a - b);
  used.forEach((column, i) => {
    const members = columns.get(column) ?? [];
    members.forEach((name, j) => {
      const x = 20 + (i * (W - BOX_W - 40)) / Math.max(1, used.length - 1);
      const y = ((j + 0.5) * H) / members.length - BOX_H / 2;
      at.set(name, { x, y });
    });
  });
  return at;
}

type NodeState = 'ready' | 'degraded' | 'down' | 'external';

function stateOf(health: ServiceHealth | undefined, traffic: ServiceTraffic | undefined): NodeState {
  if (!health) return 'external';
  if (health.ready === 0) return 'down';
  const failing = traffic && traffic.handled > 0 && traffic.errors / traffic.handled > 0.01;
  return health.ready < health.instances || health.faulted || failing ? 'degraded' : 'ready';
}

const perSecond = (count: number, windowMs: number) => count / (windowMs / 1000);
const rate = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString());
const percent = (part: number, whole: number) =>
  whole === 0 ? '0' : ((part / whole) * 100).toFixed(part === 0 ? 0 : 1);

function edgeLabel(edge: Edge, windowMs: number): string {
  return `${rate(perSecond(edge.count, windowMs))}/s · ${percent(edge.errors, edge.count)}% err · p99 ${Math.round(edge.p99Ms)} ms`;
}

function edgePath(edge: Edge, at: Map<string, { x: number; y: number }>, windowMs: number): string {
  const from = at.get(edge.from);
  const to = at.get(edge.to);
  if (!from || !to) return '';
  const forward = to.x > from.x;
  const [x1, y1] = [from.x + (forward ? BOX_W : BOX_W / 2), from.y + BOX_H / 2];
  const [x2, y2] = [
    to.x + (forward ? 0 : BOX_W / 2),
    to.y + (forward ? BOX_H / 2 : to.y > from.y ? 0 : BOX_H),
  ];
  // Bus hops and calls between the same two services bend apart, and so do the two directions.
  const bend = (edge.kind === 'bus' ? 40 : -40) * (edge.from < edge.to ? 1 : -1);
  const [cx, cy] = [(x1 + x2) / 2 + (forward ? 0 : bend * 2), (y1 + y2) / 2 + bend];
  const failing = edge.errors / edge.count > 0.01;
  const colour = failing ? '#a50e0e' : edge.kind === 'bus' ? '#8a4b00' : '#5f6368';
  const dash = edge.kind === 'bus' ? ' stroke-dasharray="6 4"' : '';
  const label = edgeLabel(edge, windowMs);
  return `<g class="edge"><title>${edge.from} → ${edge.to} (${edge.kind}): ${label}</title>
<path d="M${x1.toFixed(0)},${y1.toFixed(0)} Q${cx.toFixed(0)},${cy.toFixed(0)} ${x2.toFixed(0)},${y2.toFixed(0)}" fill="none" stroke="${colour}" stroke-width="${failing ? 2.5 : 1.5}"${dash} marker-end="url(#arrow)"/>
<text x="${((x1 + 2 * cx + x2) / 4).toFixed(0)}" y="${((y1 + 2 * cy + y2) / 4 - 3).toFixed(0)}" font-size="10" text-anchor="middle" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke">${label}</text></g>`;
}

const FILL: Record<NodeState, string> = {
  ready: '#e6f4ea',
  degraded: '#fef7e0',
  down: '#fce8e6',
  external: '#f1f3f4',
};
const STROKE: Record<NodeState, string> = {
  ready: '#146c2e',
  degraded: '#8a4b00',
  down: '#a50e0e',
  external: '#5f6368',
};

function node(
  name: string,
  p: { x: number; y: number },
  state: NodeState,
  health: ServiceHealth | undefined,
  traffic: ServiceTraffic | undefined,
  windowMs: number,
): string {
  const handled = traffic
    ? `${rate(perSecond(traffic.handled, windowMs))}/s · ${percent(traffic.errors, traffic.handled)}% err`
    : 'idle';
  const badge = health?.faulted ? ' · FAULT' : state === 'down' ? ' · DOWN' : '';
  const count = health ? ` ${health.ready}/${health.instances}` : '';
  return `<g class="node ${state}"><title>${name}: ${state}${health?.faulted ? ', fault rule set' : ''}</title>
<rect x="${p.x.toFixed(0)}" y="${p.y.toFixed(0)}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${FILL[state]}" stroke="${STROKE[state]}" stroke-width="${state === 'ready' ? 1.2 : 2.5}"${state === 'down' ? ' stroke-dasharray="4 3"' : ''}/>
<text x="${(p.x + 8).toFixed(0)}" y="${(p.y + 20).toFixed(0)}" font-size="13" font-weight="600">${name}${count}${badge}</text>
<text x="${(p.x + 8).toFixed(0)}" y="${(p.y + 40).toFixed(0)}" font-size="11">${handled}</text></g>`;
}

/** The graph and, under it, the same as a table. Names come from spans: escaped before they reach the SVG. */
export function topologyView(
  health: ServiceHealth[],
  edges: Edge[],
  traffic: Map<string, ServiceTraffic>,
  windowMs: number,
): Html {
  const known = new Map(health.map((h) => [h.service, h]));
  const names = [...new Set([...health.map((h) => h.service), ...edges.flatMap((e) => [e.from, e.to])])];
  const at = layout(names);
  const safeEdges = edges.map((e) => ({ ...e, from: escapeHtml(e.from), to: escapeHtml(e.to) }));
  const safeAt = new Map([...at].map(([name, p]) => [escapeHtml(name), p]));
  const svg = `<svg class="topology" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="topology-title">
<title id="topology-title">Services and the calls between them over the last minute; the table below lists each edge</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5f6368"/></marker></defs>
${safeEdges.map((e) => edgePath(e, safeAt, windowMs)).join('\n')}
${names.map((name) => node(escapeHtml(name), at.get(name) ?? { x: 0, y: 0 }, stateOf(known.get(name), traffic.get(name)), known.get(name), traffic.get(name), windowMs)).join('\n')}
</svg>`;
  const rows = edges.map(
    (
      e,
    ) => html`<tr${e.errors / e.count > 0.01 ? html` class="level-error"` : ''}><th scope="row">${e.from} → ${e.to}</th><td>${e.kind === 'bus' ? `bus (${e.types.join(', ')})` : 'HTTP'}</td>
<td>${rate(perSecond(e.count, windowMs))}</td><td>${percent(e.errors, e.count)} %</td><td>${Math.round(e.p99Ms)} ms</td></tr>`,
  );
  const states = names.map(
    (name) =>
      `${name} ${stateOf(known.get(name), traffic.get(name))}${known.get(name)?.faulted ? ' (fault)' : ''}`,
  );
  return html`<p class="summary">${states.join(' · ')}</p>
<figure class="topology">${trusted(svg)}<figcaption>Solid: HTTP calls; dashed: events on the bus (the wait is from the publishing work's end to the consumer's start). Green ready, amber degraded or under a fault, red down. Rates are of sampled traces.</figcaption></figure>
<table><caption>Edges over the last minute</caption>
<thead><tr><th scope="col">Edge</th><th scope="col">Kind</th><th scope="col">Per second</th><th scope="col">Errors</th><th scope="col">p99</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="5">No traffic traced in the last minute.</td></tr>`}</tbody></table>`;
}
