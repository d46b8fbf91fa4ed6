import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

export const root = join(import.meta.dirname, '..', '..');

export interface PlatformState {
  gateway: string;
  launcherPid: number;
  database: { pid?: number };
  /** Each instance, with where its Prometheus metrics are served. */
  services: Array<{ name: string; instance: string; pid: number; url: string; metrics: string }>;
}

export interface RunningPlatform {
  child: ChildProcess;
  /** platform.json as it was when the platform was ready. */
  state: PlatformState;
  /** platform.json as it is now (the console may have scaled a service since). */
  stateNow(): PlatformState;
  output(): string;
  exited: Promise<number | null>;
  /**
   * SIGTERM, then waits until the launcher and its PostgreSQL are gone: npm exits at
   * once on the signal, while the launcher is still stopping services and the server.
   */
  stop(): Promise<void>;
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the platform exactly as the README says (`npm start`) and waits until it reports
 * ready. `ownProcessGroup`: npm leads a process group of its own, as in a terminal, so
 * `process.kill(-child.pid, 'SIGINT')` is a Ctrl-C.
 */
export async function npmStart(
  env: Record<string, string>,
  timeoutMs = 120_000,
  args: string[] = [],
  options: { ownProcessGroup?: boolean } = {},
): Promise<RunningPlatform> {
  const stateFile = join(env.PLATFORM_DATA_DIR ?? '', 'platform.json');
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(stateFile) || !/All ready/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      // A platform that never got ready is ended whole, so it leaves nothing running:
      // its group when it has one, else every process carrying its data folder.
      if (options.ownProcessGroup && child.pid) process.kill(-child.pid, 'SIGKILL');
      else if (env.PLATFORM_DATA_DIR) {
        for (const pid of processesMarkedWith(`PLATFORM_DATA_DIR=${env.PLATFORM_DATA_DIR}\0`)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }
      throw new Error(`not ready after ${timeoutMs} ms:\n${output}`);
    }
    await sleep(200);
  }
  const stateNow = () => JSON.parse(readFileSync(stateFile, 'utf8')) as PlatformState;
  const state = stateNow();
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    const gone = Date.now() + 60_000;
    while ((alive(state.launcherPid) || alive(state.database.pid)) && Date.now() < gone) await sleep(100);
  };
  return { child, state, stateNow, output: () => output, exited, stop };
}

/** Process ids whose environment carries `marker`: everything a run started, however deep. */
export function processesMarkedWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Pino's levels from warn up, as they appear in a service's JSON log line. */
const WARNING_OR_WORSE = /"level":(40|50|60)\b/;

/**
 * Removes a suite's platform data folder once the suite is over. When one of its tests
 * failed, first prints what is needed to see why, since the folder goes with the
 * machine a CI run had: the launcher's output and each service log's last warnings and
 * errors. Call it where the suite registers its hooks (its `describe`, or the file's top
 * level), and the function it returns in its `after`.
 */
export function clearUpAfterSuite(
  dataDir: string,
  platform: () => RunningPlatform | undefined,
): () => Promise<void> {
  let failed = false;
  afterEach((t) => {
    if ('passed' in t && !t.passed) failed = true;
  });
  return async () => {
    if (failed) {
      console.log(
        `# a test failed; the platform's launcher said:\n${platform()?.output().slice(-4_000) ?? '(not started)'}`,
      );
      const logs = join(dataDir, 'logs');
      for (const file of existsSync(logs) ? readdirSync(logs) : []) {
        const lines = readFileSync(join(logs, file), 'utf8').split('\n');
        const worst = lines.filter((line) => WARNING_OR_WORSE.test(line)).slice(-15);
        if (worst.length) console.log(`# ${file}, its last warnings and errors:\n${worst.join('\n')}`);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };
}
