// The instances the launcher runs, each under its supervisor: started and waited for
// until ready, listed for platform.json, restarted when they die, and stopped in
// reverse start order when the platform stops.
import { join } from 'node:path';
import type { Instance } from './instances.ts';
import { waitUntilReady } from './readiness.ts';
import { Supervisor } from './supervisor.ts';

export interface FleetOptions {
  /** The repository: entry points are relative to it. */
  root: string;
  /** Each instance logs to `<label>.log` here. */
  logDir: string;
  readyTimeoutMs: number;
  /** Node.js arguments before the entry point (the telemetry preload, a profiler's). */
  nodeArgs: string[];
  /** What an instance starts with: its service's settings, its own id and port. */
  environment(instance: Instance): Promise<Record<string, string>>;
  say(message: string): void;
  /** An instance came or went, or has a new pid: platform.json must say so. */
  changed(): void;
  /** An instance cannot be kept running (it refuses its configuration): the platform stops. */
  gaveUp(): void;
}

export interface RunningInstance {
  instance: Instance;
  supervisor: Supervisor;
}

export class Fleet {
  readonly #options: FleetOptions;
  readonly #running: RunningInstance[] = [];
  #stopping = false;

  constructor(options: FleetOptions) {
    this.#options = options;
  }

  /** Every instance started, in start order. */
  get running(): readonly RunningInstance[] {
    return this.#running;
  }

  /** Starts `instance` and waits until it is ready; undefined if the platform is stopping. */
  async start(instance: Instance): Promise<{ pid: number; readyMs: number } | undefined> {
    const { label, url } = instance;
    const env = await this.#options.environment(instance);
    // Interrupted while starting: what has started is being stopped; start nothing more.
    if (this.#stopping) return undefined;
    const supervisor = this.#supervisorOf(instance, env);
    const pid = supervisor.start();
    this.#running.push({ instance, supervisor });
    this.#options.say(`  … ${label} starting (pid ${pid})`);
    const readyMs = await waitUntilReady(url, {
      timeoutMs: this.#options.readyTimeoutMs,
      pid: () => supervisor.pid,
      onWaiting: (elapsed) =>
        this.#options.say(`  … still waiting for ${label} to be ready (${Math.round(elapsed / 1000)} s)`),
    });
    return { pid, readyMs };
  }

  #supervisorOf(instance: Instance, env: Record<string, string>): Supervisor {
    const { definition, label, url } = instance;
    const { say, changed, gaveUp, readyTimeoutMs } = this.#options;
    const supervisor: Supervisor = new Supervisor(
      {
        name: label,
        args: [
          ...this.#options.nodeArgs,
          '--import',
          '@platform/chassis/telemetry-preload',
          join(this.#options.root, definition.entry),
        ],
        env,
        logFile: join(this.#options.logDir, `${label}.log`),
      },
      {
        notice: (message) => say(`  ! ${message}`),
        restarted: () => {
          changed();
          waitUntilReady(url, { timeoutMs: readyTimeoutMs, pid: () => supervisor.pid }).then(
            (ms) => say(`  ✓ ${label} is serving again (ready ${ms} ms after restart)`),
            (error: Error) => say(`  ! ${error.message}`),
          );
        },
        gaveUp: (reason) => {
          say(`  ✗ ${reason}`);
          gaveUp();
        },
      },
    );
    return supervisor;
  }

  /**
   * From now on nothing more starts and no exit is a crash: the platform is stopping,
   * and a terminal's Ctrl-C may already be stopping every process by itself.
   */
  standDown(): void {
    this.#stopping = true;
    for (const { supervisor } of this.#running) supervisor.standDown();
  }

  /** Stops every instance, the last started first: the gateway stops taking traffic before what it calls. */
  async stopAll(graceMs: number): Promise<void> {
    this.standDown();
    for (const { supervisor } of [...this.#running].reverse()) await supervisor.stop(graceMs);
  }
}
