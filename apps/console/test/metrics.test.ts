import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { markupOf } from '@platform/web';
import { lineChart } from '../src/metrics/chart.ts';
import { parseExposition } from '../src/metrics/exposition.ts';
import { pointBetween, quantile, routesBetween, snapshotOf } from '../src/metrics/series.ts';
import { MetricsWatch } from '../src/metrics/watch.ts';
import { metricsCharts } from '../src/pages/metrics.ts';
import { PlatformView } from '../src/platform.ts';

const exposition = (
  requests: number,
  errors: number,
  fast: number,
  slow: number,
) => `# HELP http_requests_total x
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/a",status="200",service="order",service_instance_id="order-1"} ${requests - errors}
http_requests_total{method="GET",route="/a",status="503",service="order",service_instance_id="order-1"} ${errors}
http_request_duration_seconds_bucket{le="0.01",method="GET",route="/a"} ${fast}
http_request_duration_seconds_bucket{le="0.1",method="GET",route="/a"} ${fast + slow}
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/a"} ${fast + slow}
nodejs_eventloop_lag_p99_seconds{service="order"} 0.012
bus_consumer_lag{group="order-saga"} 3
`;

test('console metrics - samples are read out of the text format, labels unescaped', () => {
  const samples = parseExposition('# TYPE a counter\na_total{x="q\\"uote",le="+Inf"} 4\nb 1.5e3\nbad line\n');
  assert.deepEqual(samples, [
    { name: 'a_total', labels: { x: 'q"uote', le: '+Inf' }, value: 4 },
    { name: 'b', labels: {}, value: 1500 },
  ]);
});

test('console metrics - rate, 5xx share and latency percentiles between two scrapes, as Prometheus computes them', () => {
  const before = snapshotOf(0, parseExposition(exposition(100, 0, 100, 0)));
  const after = snapshotOf(10_000, parseExposition(exposition(300, 4, 280, 20)));
  const point = pointBetween(before, after);
  assert.equal(point.rate, 20, '200 requests in 10 s');
  assert.equal(point.errorShare, 0.02);
  assert.ok(point.p50 !== null && point.p50 > 0 && point.p50 <= 0.01, 'half the window was under 10 ms');
  assert.ok(
    point.p99 !== null && point.p99 > 0.01 && point.p99 <= 0.1,
    'the slowest tenth between 10 and 100 ms',
  );
  assert.equal(point.consumerLag, 3);
  assert.equal(quantile(0.5, new Map(), new Map()), null, 'nothing observed: no percentile');
});

test('console metrics - each route with its rate, 5xx share and percentiles over the window, busiest first, idle ones left out', () => {
  const other = (n: number) =>
    `http_requests_total{method="POST",route="/b",status="201"} ${n}\nhttp_requests_total{method="DELETE",route="/c",status="204"} 7\n`;
  const before = snapshotOf(0, parseExposition(exposition(100, 0, 100, 0) + other(10)));
  const after = snapshotOf(10_000, parseExposition(exposition(300, 4, 280, 20) + other(20)));
  const routes = routesBetween(before, after);
  assert.deepEqual(
    routes.map((r) => [r.route, r.rate, r.errorShare]),
    [
      ['GET /a', 20, 0.02],
      ['POST /b', 1, 0],
    ],
  );
  assert.ok(routes[0]?.p99 !== null && (routes[0]?.p99 ?? 0) > 0.01);
  const page = markupOf(metricsCharts(new Map([['order', []]]), new Map([['order', routes]])));
  assert.match(page, /<tr class="level-error"><th scope="row">GET \/a<\/th><td>20<\/td><td>2\.0 %<\/td>/);
});

test('console metrics - a restarted process counts afresh: its new count is the increase, never a negative rate', () => {
  const before = snapshotOf(0, parseExposition(exposition(1000, 0, 1000, 0)));
  const after = snapshotOf(5_000, parseExposition(exposition(50, 0, 50, 0)));
  assert.equal(pointBetween(before, after).rate, 10);
});

test('console metrics - a chart says its latest values in words; no data yet is said too', () => {
  const chart = markupOf(
    lineChart('order latency', 'ms', [
      {
        name: 'p99',
        points: [
          [0, 0.05],
          [5_000, 0.12],
        ],
      },
    ]),
  );
  assert.match(chart, /<svg viewBox="0 0 320 120" role="img" aria-label="order latency: p99 120 ms">/);
  assert.match(chart, /<path d="M\d/);
  assert.match(markupOf(lineChart('x', '', [])), /no data yet/);
  assert.match(markupOf(metricsCharts(new Map())), /first points come/);
});

test('console metrics - the watch scrapes every instance the launcher lists, and stops when no one looks', async () => {
  let scrapes = 0;
  let requests = 0;
  const server = createServer((_request, response) => {
    scrapes += 1;
    requests += 50;
    response.end(exposition(requests, 0, requests, 0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const folder = await mkdtemp(join(tmpdir(), 'console-metrics-'));
  const stateFile = join(folder, 'platform.json');
  await writeFile(
    stateFile,
    JSON.stringify({
      gateway: url,
      services: [{ name: 'order', instance: 'order-1', pid: 1, url, metrics: `${url}/metrics` }],
    }),
  );
  const watch = new MetricsWatch(new PlatformView(stateFile), { everyMs: 50 });
  try {
    watch.touch();
    for (let i = 0; i < 50 && (watch.series().get('order')?.length ?? 0) < 2; i++) await sleep(20);
    const points = watch.series().get('order') ?? [];
    assert.ok(points.length >= 2, 'points come from successive scrapes');
    assert.ok((points.at(-1)?.rate ?? 0) > 0);
  } finally {
    watch.stop();
    const seen = scrapes;
    await sleep(150);
    assert.equal(scrapes, seen, 'stopped: no more scrapes');
    server.close();
    await rm(folder, { recursive: true, force: true });
  }
});
