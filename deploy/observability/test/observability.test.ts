import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireInfra } from '@platform/testkit';
import { dashboards, exposedMetrics, expressions, metricNames, metricsUsed } from '../metrics-used.ts';

const prometheus = join(import.meta.dirname, '..', 'prometheus');
const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((path) => existsSync(path));
const noPromtool = promtool
  ? false
  : 'no promtool here (Debian: apt install prometheus); .ci/run installs it and checks these files';
if (!promtool && requireInfra) throw new Error('REQUIRE_INFRA=1 but promtool is not installed');

function promtoolSays(...args: string[]): string {
  return execFileSync(promtool ?? 'promtool', args, { cwd: prometheus, encoding: 'utf8', stdio: 'pipe' });
}

test('observability - the Prometheus configuration and the alert rules are valid', {
  skip: noPromtool,
}, () => {
  assert.match(promtoolSays('check', 'config', 'prometheus.yml'), /is valid prometheus config/);
  assert.match(promtoolSays('check', 'rules', 'alerts.yml'), /SUCCESS: 8 rules found/);
});

test("observability - each alert fires past the guides' threshold, and only there (promtool's rule tests)", {
  skip: noPromtool,
}, () => {
  assert.match(promtoolSays('test', 'rules', 'alerts.test.yml'), /SUCCESS/);
});

test('observability - the dashboards are Grafana dashboards: unique ids, every panel queries Prometheus', () => {
  const found = dashboards();
  assert.deepEqual(found.map(({ file }) => file).sort(), ['bus-and-sagas.json', 'golden-signals.json']);
  assert.equal(new Set(found.map(({ dashboard }) => dashboard.uid)).size, found.length);
  for (const { file, dashboard } of found) {
    assert.ok(dashboard.title && dashboard.panels.length > 0, file);
    assert.equal(
      new Set(dashboard.panels.map((panel) => panel.id)).size,
      dashboard.panels.length,
      `${file}: panel ids`,
    );
    for (const panel of dashboard.panels)
      assert.ok(
        (panel.targets ?? []).every((target) => target.expr),
        `${file}: "${panel.title}" has a query`,
      );
  }
});

test('observability - the metric names are read out of PromQL, not its functions, keywords or labels', () => {
  assert.deepEqual(
    metricNames(
      'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"$service",status=~"5.."}[5m]))) > 0.5',
    ),
    ['http_request_duration_seconds_bucket'],
  );
  assert.deepEqual(metricNames('max by (service, upstream) (client_circuit_state == 1) or on (service) up'), [
    'client_circuit_state',
    'up',
  ]);
  assert.deepEqual([...exposedMetrics('# TYPE a_seconds histogram\n# TYPE b_total counter\n')].sort(), [
    'a_seconds_bucket',
    'a_seconds_count',
    'a_seconds_sum',
    'b_total',
  ]);
});

test('observability - dashboards and alerts use metrics of the platform: golden signals, bus and sagas', () => {
  const used = metricsUsed();
  for (const name of [
    'http_requests_total',
    'http_request_duration_seconds_bucket',
    'bus_consumer_lag',
    'bus_events_published_total',
  ])
    assert.ok(used.has(name), name);
  assert.ok(expressions().length >= 20);
});
