// The instances the launcher runs, each under its supervisor: started and waited for
// until ready, listed for platform.json, restarted when they die, one added or removed
// when a service is scaled, and all stopped in reverse start order when the platform stops.
import { join } from 'node:path';
import { type Instance, type PortPlan, planAnother } from './instances.ts';
import { waitUntilReady } from './readiness.ts';
import type { ServiceDefinition } from './services.ts';
import { type ProcessSpec, Supervisor } from './supervisor.ts';

export interface FleetOptions {
  /** The repository: entry points are relative to it. */
  root: string;
  /** Each instance logs to `<label>.log` here. */
  logDir: string;
  readyTimeoutMs: number;
  /** How long a stopping instance gets to finish what it does before SIGKILL. */
  stopGraceMs: number;
  /** The platform's ports: an added instance gets one of its own, a removed one gives its back. */
  ports: PortPlan;
  /** Node.js arguments before the entry point (the telemetry preload, a profiler's). */
  nodeArgs: string[];
  /** What an instance starts with: its service's settings, its own id and port. */
  environment(instance: Instance): Promise<Record<string, string>>;
  say(message: string): void;
  /** An instance came or went, or has a new pid: platform.json must say so. */
  changed(): void;
  /** An instance cannot be kept running (it refuses its configuration): the platform stops. */
  gaveUp(): void;
  /** Answers the control channel of a service that has one (`control: true`: the console). */
  control?: ProcessSpec['control'];
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

  /** The running instances of `service`, oldest first. */
  instancesOf(service: string): Instance[] {
    return this.#running
      .filter(({ instance }) => instance.definition.name === service)
      .map(({ instance }) => instance);
  }

  /** Starts `instance` and waits until it is ready; undefined if the platform is stopping. */
  async start(instance: Instance): Promise<{ pid: number; readyMs: number } | undefined> {
    const { label, url } = instance;
    const env = await this.#options.environment(instance);
    // Interrupted while starting: what has started is being stopped; start nothing more.
    if (this.#stopping) return undefined;
    // The ports it listens on (`PORT`, the gateway's `MANAGEMENT_PORT`) were held for it.
    for (const [name, value] of Object.entries(env)) {
      if (name.endsWith('PORT') && /^\d+$/.test(value)) await this.#options.ports.open(Number(value));
    }
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

  /**
   * One more instance of `definition`, with the next id and a port of its own, started
   * and ready; in platform.json from then on. One that does not get ready is stopped.
   */
  async add(definition: ServiceDefinition): Promise<{ instance: Instance; readyMs: number }> {
    const instance = await planAnother(definition, this.instancesOf(definition.name), this.#options.ports);
    try {
      const started = await this.start(instance);
      if (!started) throw new Error('the platform is stopping');
      this.#options.changed();
      return { instance, readyMs: started.readyMs };
    } catch (error) {
      await this.remove(instance);
      throw error;
    }
  }

  /** Stops `instance` gracefully (SIGTERM, SIGKILL after the grace) and forgets it. */
  async remove(instance: Instance): Promise<void> {
    const running = this.#running.find((candidate) => candidate.instance === instance);
    if (running) {
      await running.supervisor.stop(this.#options.stopGraceMs);
      // Looked up again: another service's instance may have come or gone meanwhile.
      this.#running.splice(this.#running.indexOf(running), 1);
    }
    await this.#options.ports.release(instance.port);
    this.#options.changed();
  }

  #supervisorOf(instance: Instance, env: Record<string, string>): Supervisor {
    const { definition, label, url } = instance;
    const { say, changed, gaveUp, readyTimeoutMs, control } = this.#options;
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
        ...(definition.control && control ? { control } : {}),
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
  /**
   * Reverse start order: the gateway stops taking traffic before what it calls. The
   * console watches, so it goes last: the services' last spans still reach it.
   */
  async stopAll(): Promise<void> {
    this.standDown();
    const watching = (entry: RunningInstance) => entry.instance.definition.name === 'console';
    const ordered = [
      ...this.#running.filter((entry) => !watching(entry)).reverse(),
      ...this.#running.filter(watching),
    ];
    for (const { supervisor } of ordered) await supervisor.stop(this.#options.stopGraceMs);
  }
}
