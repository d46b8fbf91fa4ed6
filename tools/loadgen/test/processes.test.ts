// The platform's share of the machine in a load report: CPU per process over the
// window, busiest first, memory at the end; only for the platform the run measured.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { cpuTicksOf, machineTimesOf, PlatformSampler, platformUse, schedstatOf } from '../src/processes.ts';

const use = (entries: Record<string, [number, number, number?, number?]>) =>
  new Map(
    Object.entries(entries).map(([name, [cpu, rss, kernel = 0, helpers = 0]]) => [
      name,
      { cpu, kernel, helpers, rss, processes: 1, waited: 0, slices: 0 },
    ]),
  );

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

test('platform use - the CPU each process spent in the kernel, and the platform in all', () => {
  const measured = platformUse(
    { at: 0, use: use({ order: [1_000_000, 0, 200_000], 'postgres (order)': [0, 0, 0] }) },
    { at: 1_000, use: use({ order: [1_500_000, 0, 400_000], 'postgres (order)': [300_000, 0, 150_000] }) },
  );
  assert.deepEqual(
    measured.processes.map((entry) => [entry.name, entry.cpuPercentOfOneCore, entry.kernelPercentOfOneCore]),
    [
      ['order', 50, 20],
      ['postgres (order)', 30, 15],
    ],
  );
  assert.equal(measured.totalKernelPercentOfOneCore, 35);
});

test('platform use - the CPU of the threads beside each process main thread (V8 helpers), and the platform in all', () => {
  const measured = platformUse(
    { at: 0, use: use({ order: [1_000_000, 0, 0, 100_000], 'postgres (order)': [0, 0] }) },
    { at: 1_000, use: use({ order: [1_500_000, 0, 0, 250_000], 'postgres (order)': [300_000, 0] }) },
  );
  assert.deepEqual(
    measured.processes.map((entry) => [
      entry.name,
      entry.cpuPercentOfOneCore,
      entry.helperThreadsPercentOfOneCore,
    ]),
    [
      ['order', 50, 15],
      ['postgres (order)', 30, 0],
    ],
  );
  assert.equal(measured.totalHelperThreadsPercentOfOneCore, 15);
});

test('cpu ticks - user and kernel ticks from the stat line of a process or a thread, whatever its name holds', () => {
  const line = '4242 (node (order) x) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1500 320 0 0 20 0 11 0 100 0 0';
  assert.deepEqual(cpuTicksOf(line), { user: 1500, kernel: 320 });
  assert.equal(cpuTicksOf(''), undefined, 'a thread gone before it was read gives nothing');
});

test('machine use - the whole machine over the window from /proc/stat: user, kernel, interrupts, idle, stolen', () => {
  // user nice system idle iowait irq softirq steal, in ticks of 10 ms, over all cores.
  const start = machineTimesOf('cpu  1000 0 200 5000 10 0 30 0 0 0\ncpu0 500 0 100 2500 5 0 15 0 0 0\n');
  const end = machineTimesOf('cpu  1150 10 260 5040 10 5 45 20 0 0\ncpu0 600 0 130 2520 5 2 20 10 0 0\n');
  assert.ok(start && end);
  const measured = platformUse(
    { at: 0, use: use({}), machine: start },
    { at: 1_000, use: use({}), machine: end },
  );
  // Over 1 s: 160 ticks of user (nice counts), 60 of system, 20 of interrupts, 40 idle, 20 stolen.
  assert.deepEqual(measured.machine, {
    userPercentOfOneCore: 160,
    kernelPercentOfOneCore: 60,
    interruptsPercentOfOneCore: 20,
    idlePercentOfOneCore: 40,
    stolenPercentOfOneCore: 20,
  });
  assert.equal(machineTimesOf('no cpu line here'), undefined);
});

test('schedstat - the run-queue wait and time slices a thread had, from /proc/PID/schedstat', () => {
  assert.deepEqual(schedstatOf('5730346 21986406 12\n'), { waited: 21986.406, slices: 12 });
  assert.equal(schedstatOf(''), undefined, 'a kernel keeping no scheduler statistics gives none');
  assert.equal(schedstatOf('5730346'), undefined);
});

test('platform use - how long each name waited for a core over the window, and a wake-up on average', () => {
  const at = (waited: number, slices: number) => ({
    cpu: 0,
    kernel: 0,
    helpers: 0,
    rss: 0,
    processes: 1,
    waited,
    slices,
  });
  const measured = platformUse(
    {
      at: 0,
      use: new Map([
        ['order', at(1_000_000, 100)],
        ['postgres (order)', at(0, 0)],
      ]),
    },
    {
      at: 1_000,
      use: new Map([
        ['order', at(1_300_000, 200)],
        ['postgres (order)', at(50_000, 25)],
      ]),
    },
  );
  assert.deepEqual(
    measured.processes.map((entry) => [entry.name, entry.waitedForCoreMs, entry.waitPerWakeUpMs]),
    [
      ['order', 300, 3],
      ['postgres (order)', 50, 2],
    ],
  );
  assert.equal(measured.totalWaitedForCoreMs, 350);
});

test('platform sampler - a live process has its wait for a core read where the kernel keeps it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loadgen-processes-'));
  const state = { gateway: 'http://127.0.0.1:18081', launcherPid: process.pid, services: [] };
  writeFileSync(join(dataDir, 'platform.json'), JSON.stringify(state));
  const sample = PlatformSampler.forPlatform(dataDir, state.gateway)?.sample();
  const launcher = sample?.use.get('launcher');
  assert.ok(launcher);
  if (existsSync(`/proc/${process.pid}/schedstat`)) assert.ok(launcher.slices > 0, 'time slices counted');
  else assert.equal(launcher.slices, 0);
});

test('platform sampler - CPU spent by another thread of a process counts as its helper threads', async (t) => {
  if (!existsSync(`/proc/${process.pid}/task/${process.pid}/stat`)) {
    t.skip('no per-thread /proc here to tell the main thread from the others');
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'loadgen-processes-'));
  const state = { gateway: 'http://127.0.0.1:18082', launcherPid: process.pid, services: [] };
  writeFileSync(join(dataDir, 'platform.json'), JSON.stringify(state));
  const sampler = PlatformSampler.forPlatform(dataDir, state.gateway);
  assert.ok(sampler);
  const before = sampler.sample();
  // A thread that spends 300 ms of its own CPU (however busy the machine) while this one waits.
  const busy = new Worker(
    `const start = process.threadCpuUsage();
     while (true) {
       const used = process.threadCpuUsage(start);
       if (used.user + used.system >= 300_000) break;
     }`,
    { eval: true },
  );
  await once(busy, 'exit');
  const used = platformUse(before, sampler.sample());
  const launcher = used.processes.find((entry) => entry.name === 'launcher');
  assert.ok(launcher);
  const helperMs = launcher.helperThreadsPercentOfOneCore * 10 * used.measuredSeconds;
  // /proc counts in 10 ms ticks, and the window's percentages are rounded to a tenth.
  assert.ok(helperMs >= 250, `the worker's 300 ms are counted (${helperMs} ms)`);
  assert.ok(launcher.helperThreadsPercentOfOneCore <= launcher.cpuPercentOfOneCore);
});
