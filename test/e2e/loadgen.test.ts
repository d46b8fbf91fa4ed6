// `npm run load` against the platform started as a user starts it: a short, slow run
// with the default mix must produce both reports with every route class that ran and
// a verdict per objective, and an objective no platform can meet must fail the run.
// Nothing here is timed: a busy machine changes the figures, not the outcome.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LOAD_RATE_LIMITS, type LoadReport, ROUTE_CLASSES } from '@platform/loadgen';
import { clearUpAfterSuite, type RunningPlatform, root } from './platform.ts';
import { openShop } from './shop.ts';

const dataDir = join(root, '.test-data', `loadgen-${randomUUID().slice(0, 8)}`);
const folder = mkdtempSync(join(tmpdir(), 'loadgen-e2e-'));
let platform: RunningPlatform | undefined;

before(async () => {
  ({ platform } = await openShop(dataDir, { RATE_LIMIT_POLICIES: JSON.stringify(LOAD_RATE_LIMITS) }));
});

const clearUp = clearUpAfterSuite(dataDir, () => platform);
after(async () => {
  await platform?.stop();
  await clearUp();
  await rm(folder, { recursive: true, force: true });
});

function slo(name: string, objectives: unknown[]): string {
  const file = join(folder, `${name}.json`);
  writeFileSync(file, JSON.stringify({ objectives }));
  return file;
}

async function load(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'tools/loadgen/src/cli.ts'),
      '--gateway',
      platform?.state.gateway ?? '',
      '--seed',
      '42',
      ...args,
    ],
    { env: { ...process.env, PLATFORM_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

test('loadgen - a short run writes a JSON and a self-contained HTML report, with a verdict per objective', async () => {
  const permissive = slo('permissive', [
    { name: 'p99 latency', metric: 'p99', objective: 60_000, alert: 60_000 },
    { name: 'error rate', metric: 'error-rate', objective: 50, alert: 100 },
    { name: 'throughput', metric: 'throughput', objective: 1000, alert: 500 },
  ]);
  const out = join(folder, 'short');
  const { code, output } = await load([
    '--rate',
    '20',
    '--duration',
    '4',
    '--warmup',
    '1',
    '--shoppers',
    '6',
    '--slo',
    permissive,
    '--out',
    out,
  ]);
  assert.equal(code, 0, output);

  const report = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as LoadReport;
  assert.ok(report.summary.tickets > 0 && report.summary.answered > 0, JSON.stringify(report.summary));
  assert.ok(report.machine.cores > 0, 'the machine it ran on');
  assert.equal(report.mix.name, 'storefront');
  const ran = Object.keys(report.classes);
  assert.ok(ran.length >= 3, `route classes: ${ran.join(', ')}`);
  for (const name of ran) {
    assert.ok((ROUTE_CLASSES as readonly string[]).includes(name), name);
    const value = report.classes[name];
    assert.ok(value && value.requests > 0 && value.latency.count > 0, name);
  }
  // Whatever the journeys did, each step kind that was taken has its class.
  for (const name of ['browse-category', 'search', 'product'])
    assert.ok(ran.includes(name), `${name} in ${ran.join(', ')}`);
  assert.ok(report.seconds.filter((second) => second.phase === 'measured').length >= 3);
  assert.deepEqual(
    report.verdicts.map((verdict) => [verdict.name, verdict.verdict]),
    [
      ['p99 latency', 'met'],
      ['error rate', 'met'],
      ['throughput', 'skipped'],
    ],
    output,
  );
  assert.ok(report.loadgen.cpu.percentOfOneCore >= 0);
  // The platform runs on this machine: the report says what each of its processes spent.
  assert.ok(!('unavailable' in report.platform), JSON.stringify(report.platform));
  const processes = 'processes' in report.platform ? report.platform.processes.map((use) => use.name) : [];
  for (const name of ['gateway', 'catalog', 'launcher'])
    assert.ok(processes.includes(name), processes.join(', '));
  assert.ok(
    processes.some((name) => name.startsWith('postgres (')),
    `PostgreSQL's backends per database: ${processes.join(', ')}`,
  );

  const page = readFileSync(`${out}.html`, 'utf8');
  assert.match(page, /Service-level objectives/);
  assert.match(page, /Where the platform spent the machine/);
  assert.ok((page.match(/<svg viewBox/g) ?? []).length >= 4, 'the charts');
  assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href=|url\(http/i, 'nothing fetched from elsewhere');
  assert.match(output, /p99 latency\s.*met/);
});

test('loadgen - an objective the platform cannot meet is breached, and the run exits 1', async () => {
  const impossible = slo('impossible', [
    { name: 'p99 latency', metric: 'p99', objective: 0.0005, alert: 0.001 },
  ]);
  const out = join(folder, 'breached');
  const { code, output } = await load([
    '--rate',
    '10',
    '--duration',
    '2',
    '--warmup',
    '0',
    '--shoppers',
    '2',
    '--slo',
    impossible,
    '--out',
    out,
  ]);
  assert.equal(code, 1, output);
  const report = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as LoadReport;
  assert.equal(report.verdicts[0]?.verdict, 'breached');
  assert.match(output, /BREACHED/);
});
