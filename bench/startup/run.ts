// Startup benchmark: time from launching the platform to "All ready", from an empty
// data folder (cold: initdb, migrations, seed) and from an existing one (warm),
// median of N runs each, and the memory of the whole platform once ready.
// Run: npm run bench -- startup [runs]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@platform/devinfra';
import { commandLine, numberOption, refuse } from '@platform/devinfra/command-line';
import { machineDetails, median } from '../machine.ts';

const root = join(import.meta.dirname, '..', '..');
const USAGE = `usage: npm run bench -- startup [runs]

Launcher start to "All ready" from an empty data folder (cold) and from an existing one
(warm), the median of [runs] (default 5) each, and the memory of the whole platform once
ready. Writes bench/results/startup.json.`;
const { positionals } = commandLine(USAGE, { allowPositionals: true, options: {} });
if (positionals.length > 1) refuse(`one number of runs: ${positionals.join(' ')}`);
const runs = numberOption('runs', positionals[0] ?? '5', { min: 1, max: 100, integer: true });

interface Started {
  child: ChildProcess;
  readyMs: number;
}

async function startPlatform(dataDir: string): Promise<Started> {
  const { DATABASE_URL: _external, ...env } = process.env;
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, 'apps/launcher/src/main.ts')], {
    env: {
      ...env,
      PLATFORM_DATA_DIR: dataDir,
      PLATFORM_PG_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('All ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`launcher exited with ${code}:\n${output}`)));
  });
  return { child, readyMs: performance.now() - began };
}

async function stopPlatform(started: Started): Promise<void> {
  const exited = once(started.child, 'exit');
  started.child.kill('SIGTERM');
  await exited;
}

/** The launcher and everything below it: services, PostgreSQL and its backends. */
function processTree(rootPid: number): number[] {
  const parents = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      parents.set(Number(pid), ppid);
    } catch {
      // Exited meanwhile.
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/**
 * Resident (RSS) and proportional (PSS) memory of the whole platform, summed. RSS
 * counts PostgreSQL's shared buffers once per backend; PSS splits shared pages
 * between the processes sharing them, so it is the honest total.
 */
function memoryOf(launcherPid: number): { processes: number; rssMiB: number; pssMiB: number } {
  let rss = 0;
  let pss = 0;
  let processes = 0;
  for (const pid of processTree(launcherPid)) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      processes += 1;
    } catch {
      // Exited meanwhile.
    }
  }
  return { processes, rssMiB: Math.round(rss / 1024), pssMiB: Math.round(pss / 1024) };
}

const cold: number[] = [];
const warm: number[] = [];
let memory: ReturnType<typeof memoryOf> | undefined;
for (let run = 1; run <= runs; run++) {
  const dataDir = join(root, '.test-data', `bench-startup-${randomUUID().slice(0, 8)}`);
  try {
    const first = await startPlatform(dataDir);
    cold.push(first.readyMs);
    // Let the first requests' lazy work settle before reading memory.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (run === 1) memory = memoryOf(first.child.pid ?? 0);
    await stopPlatform(first);
    const second = await startPlatform(dataDir);
    warm.push(second.readyMs);
    await stopPlatform(second);
    console.log(
      `run ${run}/${runs}: cold ${Math.round(cold.at(-1) ?? 0)} ms, warm ${Math.round(warm.at(-1) ?? 0)} ms`,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const result = {
  benchmark: 'startup',
  what: 'launcher start to "All ready" (postgres + every service ready), median of runs',
  runs,
  coldMs: { median: Math.round(median(cold)), all: cold.map(Math.round) },
  warmMs: { median: Math.round(median(warm)), all: warm.map(Math.round) },
  memoryWhenReady: memory,
  machine: machineDetails(),
};
const file = join(root, 'bench', 'results', 'startup.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${file}`);
