import { type Html, html } from '@platform/web';
import { lineChart } from '../metrics/chart.ts';
import type { Point, RouteStats } from '../metrics/series.ts';

const line = (name: string, points: Point[], value: (p: Point) => number | null) => ({
  name,
  points: points.map((p): [number, number | null] => [p.at, value(p)]),
});

/** Per service: traffic, latency (p50, p99) and the share of 5xx, then each route's; and the platform's saturation and backlog. */
const ms = (seconds: number | null) => (seconds === null ? '-' : `${Math.round(seconds * 1000)} ms`);

function routeTable(service: string, routes: RouteStats[] | undefined): Html {
  if (!routes || routes.length === 0) return html``;
  const rows = routes.map(
    (r) =>
      html`<tr${r.errorShare > 0.01 ? html` class="level-error"` : ''}><th scope="row">${r.route}</th><td>${r.rate.toFixed(r.rate < 10 ? 2 : 0)}</td><td>${(r.errorShare * 100).toFixed(1)} %</td><td>${ms(r.p50)}</td><td>${ms(r.p99)}</td></tr>`,
  );
  return html`<table class="routes"><caption>${service}'s routes over the last minute, busiest first</caption>
<thead><tr><th scope="col">Route</th><th scope="col">Requests/s</th><th scope="col">5xx</th><th scope="col">p50</th><th scope="col">p99</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export function metricsCharts(
  series: Map<string, Point[]>,
  routes: Map<string, RouteStats[]> = new Map(),
): Html {
  if (series.size === 0)
    return html`<p class="summary">Scraping every instance's /metrics: the first points come within 10 s.</p>`;
  const services = [...series.keys()].sort();
  const rows = services.map((service) => {
    const points = series.get(service) ?? [];
    return html`<section class="service-charts" aria-label="${service}"><h2>${service}</h2><div class="charts">
${lineChart(`${service} requests/s`, '', [line('req/s', points, (p) => p.rate)])}
${lineChart(`${service} latency`, 'ms', [line('p50', points, (p) => p.p50), line('p99', points, (p) => p.p99)])}
${lineChart(`${service} 5xx`, '%', [line('5xx', points, (p) => p.errorShare)])}
</div>${routeTable(service, routes.get(service))}</section>`;
  });
  const across = (title: string, unit: string, value: (p: Point) => number) =>
    lineChart(
      title,
      unit,
      services.map((s) => line(s, series.get(s) ?? [], value)),
    );
  return html`<section aria-label="Saturation and backlog"><h2>Saturation and backlog</h2><div class="charts">
${across('Event-loop lag p99', 'ms', (p) => p.eventLoopLagP99)}
${across('Queries waiting for a connection', '', (p) => p.poolWaiting)}
${across('Outbox backlog', '', (p) => p.outboxBacklog)}
${across('Consumer lag', '', (p) => p.consumerLag)}
</div></section>${rows}`;
}
