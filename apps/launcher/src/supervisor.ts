import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { RestartPolicy } from './backoff.ts';

/** Exit code a service uses for bad configuration: restarting would not help. */
const EXIT_CONFIG = 78;

export interface ProcessSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
  /**
   * A control channel to the process (Node IPC): each message it sends is answered with
   * what this resolves to, unless undefined. Only the console is given one.
   */
  control?: (message: unknown) => Promise<object | undefined>;
}

export interface SupervisorEvents {
  /** Something a person watching the console should know. */
  notice(message: string): void;
  /** The process was restarted after a crash (wait for it to be ready again). */
  restarted(pid: number): void;
  /** The process cannot be kept running (it refuses its configuration). */
  gaveUp(reason: string): void;
}

/**
 * Keeps one service process running: its output goes to a log file (stderr is
 * also echoed, so crashes are visible), and when it dies it is started again after
 * a backoff delay, until `stop()`.
 */
export class Supervisor {
  readonly spec: ProcessSpec;
  #child: ChildProcess | undefined;
  #log: WriteStream;
  #stopping = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #starts = 0;
  readonly #policy = new RestartPolicy({ baseMs: 500, maxMs: 15_000, stableAfterMs: 30_000 });
  readonly #events: SupervisorEvents;

  constructor(spec: ProcessSpec, events: SupervisorEvents) {
    this.spec = spec;
    this.#events = events;
    this.#log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** When the current process started (epoch ms). */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** How many times the process was started again after it died. */
  get restarts(): number {
    return Math.max(0, this.#starts - 1);
  }

  /** Starts (or restarts) the process. */
  start(): number {
    // A restarted process is a new instance (fresh state, fresh counters), so it gets
    // a new instance id: catalog-2, then catalog-2-r1. Discovery then sees the old
    // one leave when its TTL runs out and the new one arrive.
    const restarts = this.#starts++;
    const env = { ...this.spec.env };
    if (restarts > 0 && env.INSTANCE_ID) env.INSTANCE_ID = `${env.INSTANCE_ID}-r${restarts}`;
    // Its log lines go straight to the file, not through us: a service whose launcher
    // died (kill -9) would otherwise block for ever in a synchronous write to a pipe
    // nobody reads, deaf even to SIGTERM, instead of noticing and stopping.
    const logFd = openSync(this.spec.logFile, 'a');
    const stdio: StdioOptions = ['ignore', logFd, 'pipe', ...(this.spec.control ? ['ipc' as const] : [])];
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, this.spec.args, { env, stdio });
    } finally {
      closeSync(logFd);
    }
    this.#child = child;
    this.#startedAt = Date.now();
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#log.write(chunk);
      for (const line of chunk.toString().trimEnd().split('\n'))
        process.stderr.write(`[${this.spec.name}] ${line}\n`);
    });
    child.on('exit', (code, signal) => this.#onExit(child, code, signal));
    if (this.spec.control) this.#answer(child, this.spec.control);
    return child.pid ?? -1;
  }

  /** Answers each message of the process, on the channel of this process (a restarted one has its own). */
  #answer(child: ChildProcess, control: NonNullable<ProcessSpec['control']>): void {
    const failed = (error: Error | null) =>
      error && this.#events.notice(`${this.spec.name}: its control message not answered: ${error.message}`);
    child.on('message', (message) => {
      control(message).then((answer) => {
        // Gone meanwhile (killed, restarted): nobody is left to hear the answer.
        if (answer !== undefined && child.connected) child.send(answer, failed);
      }, failed);
    });
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#stopping || child !== this.#child) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (code === EXIT_CONFIG) {
      this.#events.gaveUp(`${this.spec.name} exited with ${how}: its configuration is invalid (see above)`);
      return;
    }
    const delay = this.#policy.nextDelay({ ranForMs: Date.now() - this.#startedAt });
    this.#events.notice(
      `${this.spec.name} (pid ${child.pid}) died with ${how}; restart #${this.#policy.consecutiveCrashes} in ${delay} ms`,
    );
    this.#restartTimer = setTimeout(() => {
      if (this.#stopping) return;
      const pid = this.start();
      this.#events.notice(`${this.spec.name} restarted as pid ${pid}`);
      this.#events.restarted(pid);
    }, delay);
  }

  /**
   * From now on the process exiting is expected, not a crash: no notice, no restart.
   * The platform is stopping, and the process may be stopping on its own (a terminal's
   * Ctrl-C reaches it too) before `stop` gets to it.
   */
  standDown(): void {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.standDown();
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}
