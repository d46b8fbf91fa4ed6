// The platform's share of the machine in a load report: CPU per process over the
// window, busiest first, memory at the end; only for the platform the run measured.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PlatformSampler, platformUse } from '../src/processes.ts';

const use = (entries: Record<string, [number, number]>) =>
  new Map(Object.entries(entries).map(([name, [cpu, rss]]) => [name, { cpu, rss, processes: 1 }]));

test('platform use - CPU over the window as a share of one core, busiest first, memory at the end', () => {
  const start = { at: 0, use: use({ gateway: [1_000_000, 0], catalog: [500_000, 0] }) };
  const end = {
    at: 2_000,
    use: use({
      gateway: [2_000_000, 200 * 2 ** 20],
      catalog: [600_000, 100 * 2 ** 20],
      'postgres (bus)': [300_000, 0],
    }),
  };
  const measured = platformUse(start, end);
  assert.equal(measured.measuredSeconds, 2);
  assert.deepEqual(
    measured.processes.map((entry) => [entry.name, entry.cpuPercentOfOneCore, entry.rssMiB]),
    [
      ['gateway', 50, 200],
      // A backend started during the window counts from its start.
      ['postgres (bus)', 15, 0],
      ['catalog', 5, 100],
    ],
  );
  assert.equal(measured.totalCpuPercentOfOneCore, 70);
});

test('platform use - a process whose count went down (a backend gone) never shows negative CPU', () => {
  const measured = platformUse(
    { at: 0, use: use({ 'postgres (order)': [900_000, 0] }) },
    { at: 1_000, use: use({ 'postgres (order)': [100_000, 0] }) },
  );
  assert.equal(measured.processes[0]?.cpuPercentOfOneCore, 0);
});

test('platform sampler - only the platform whose state names the measured gateway, and this process is found', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loadgen-processes-'));
  const state = {
    gateway: 'http://127.0.0.1:18080',
    launcherPid: process.pid,
    services: [{ name: 'gateway', instance: 'gateway-1', pid: process.pid }],
  };
  writeFileSync(join(dataDir, 'platform.json'), JSON.stringify(state));
  assert.equal(PlatformSampler.forPlatform(dataDir, 'http://127.0.0.1:9999'), undefined);
  assert.equal(PlatformSampler.forPlatform(join(dataDir, 'none'), 'http://127.0.0.1:18080'), undefined);
  const sampler = PlatformSampler.forPlatform(dataDir, 'http://127.0.0.1:18080/');
  assert.ok(sampler);
  const sample = sampler.sample();
  assert.ok((sample.use.get('gateway')?.rss ?? 0) > 0, 'the resident memory of a live process is read');
});
