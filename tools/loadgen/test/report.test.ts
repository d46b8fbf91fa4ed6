import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DEFAULT_MIX, loadMix } from '../src/mix.ts';
import { parseOptions } from '../src/options.ts';
import { reportPage } from '../src/report-html.ts';
import { buildReport } from '../src/report-json.ts';
import { summaryText } from '../src/report-text.ts';
import { DEFAULT_SLO, loadSlo } from '../src/slo.ts';
import { type FakeGateway, fakeGateway, json, runAgainst } from './fake-gateway.ts';

const gateways: FakeGateway[] = [];
after(() => Promise.all(gateways.map((gateway) => gateway.close())));

async function reportOf(handler: Parameters<typeof fakeGateway>[0]) {
  const gateway = await fakeGateway(handler);
  gateways.push(gateway);
  const mix = { journeys: [{ name: 'looks', weight: 1, steps: [{ do: 'search' }, { do: 'product' }] }] };
  const { result } = runAgainst(gateway.url, mix, {
    shape: { kind: 'constant', rate: 50 },
    durationMs: 1_000,
  });
  const options = parseOptions(['--rate', '50', '--duration', '1', '--seed', '1']);
  return buildReport({
    options,
    mix: loadMix(DEFAULT_MIX),
    slo: loadSlo(DEFAULT_SLO),
    result: await result,
    rateLimited: false,
    rateLimitAdvice: '',
  });
}

test('report - figures add up: classes to the whole, errors to their rate, verdicts for each objective', async () => {
  const report = await reportOf((request, response) => {
    if (request.url?.includes('?q=')) return json(response, 200, { data: [] });
    json(response, 503, { title: 'Service Unavailable' });
  });
  const classes = Object.values(report.classes);
  assert.equal(
    classes.reduce((sum, c) => sum + c.latency.count, 0),
    report.summary.answered,
  );
  assert.equal(report.summary.tickets, 50);
  assert.equal(report.summary.errors, report.classes.product?.errors);
  assert.equal(report.summary.errorRatePercent, (report.summary.errors * 100) / 50);
  assert.deepEqual(report.errorsByKind, { 'server-error': report.summary.errors });
  assert.deepEqual(
    report.verdicts.map((v) => v.metric),
    ['p99', 'error-rate', 'throughput'],
  );
  assert.equal(report.verdicts[1]?.verdict, 'breached');
  assert.match(summaryText(report), /error rate\s.*BREACHED/);
  assert.equal(report.seconds.filter((s) => s.phase === 'measured').length, 1);
});

test('report - the page stands alone, and what the platform said is shown as text, never as markup', async () => {
  const report = await reportOf((request, response) => {
    if (request.url?.includes('?q=')) return json(response, 200, { data: [] });
    json(response, 404, { title: 'Not Found', detail: '<img src=x onerror=alert(1)></script>' });
  });
  const page = reportPage(report);
  assert.doesNotMatch(page, /<img src=x/);
  assert.match(page, /&#60;img src=x onerror=alert\(1\)&#62;/);
  assert.doesNotMatch(
    page.replace(/<script type="application\/json" id="load-report">.*?<\/script>/s, ''),
    /<\/script>.*<\/script>/s,
  );
  assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href=|url\(http|@import/i);
  assert.equal((page.match(/<svg viewBox/g) ?? []).length, 4);
  const embedded =
    page.match(/<script type="application\/json" id="load-report">(.*?)<\/script>/s)?.[1] ?? '';
  assert.deepEqual(JSON.parse(embedded).summary, report.summary, 'the data the page was drawn from');
});
