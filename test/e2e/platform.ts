import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const root = join(import.meta.dirname, '..', '..');

export interface PlatformState {
  gateway: string;
  launcherPid: number;
  database: { pid?: number };
  services: Array<{ name: string; instance: string; pid: number; url: string }>;
}

export interface RunningPlatform {
  child: ChildProcess;
  state: PlatformState;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts the platform exactly as the README says (`npm start`) and waits until it reports ready. */
export async function npmStart(
  env: Record<string, string>,
  timeoutMs = 120_000,
  args: string[] = [],
): Promise<RunningPlatform> {
  const stateFile = join(env.PLATFORM_DATA_DIR ?? '', 'platform.json');
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(stateFile) || !/All ready/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms:\n${output}`);
    await sleep(200);
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as PlatformState;
  return { child, state, output: () => output, exited };
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
