// The run's clock: at each whole second it rolls the recorder's window (warm-up,
// measured or drain) and notes the load generator's own CPU meanwhile.
import type { Moment, Recorder, Second } from './recorder.ts';
import type { RunHooks, RunResult, RunSettings } from './run.ts';

/** Rolls the recorder's window at each whole second of the run and keeps the load generator's CPU. */
export class SecondClock {
  readonly #seconds: Second[] = [];
  readonly #origin: number;
  readonly #settings: RunSettings;
  readonly #recorder: Recorder;
  readonly #moment: () => Moment;
  readonly #hooks: RunHooks;
  #timer: NodeJS.Timeout | undefined;
  #count = 0;
  #lastCpu = process.cpuUsage();
  #lastAt = performance.now();
  readonly #measuredCpu = { user: 0, system: 0, wallMs: 0 };

  constructor(
    origin: number,
    settings: RunSettings,
    recorder: Recorder,
    moment: () => Moment,
    hooks: RunHooks,
  ) {
    this.#origin = origin;
    this.#settings = settings;
    this.#recorder = recorder;
    this.#moment = moment;
    this.#hooks = hooks;
    this.#schedule();
  }

  #schedule(): void {
    this.#count++;
    this.#timer = setTimeout(
      () => this.#roll(),
      Math.max(0, this.#origin + this.#count * 1000 - performance.now()),
    );
  }

  #roll(last = false): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.#lastCpu);
    const wallMs = now - this.#lastAt;
    [this.#lastCpu, this.#lastAt] = [process.cpuUsage(), now];
    // Rolls fall on whole seconds, a little late; the last one anywhere in a second.
    const seconds = (now - this.#origin - this.#settings.warmupMs) / 1000;
    const at = last ? Math.ceil(seconds) : Math.round(seconds);
    const phase = at <= 0 ? 'warm-up' : at <= this.#settings.durationMs / 1000 ? 'measured' : 'drain';
    if (phase === 'measured') {
      this.#measuredCpu.user += cpu.user;
      this.#measuredCpu.system += cpu.system;
      this.#measuredCpu.wallMs += wallMs;
    }
    const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / Math.max(wallMs, 1)) * 1000) / 10;
    const second = this.#recorder.roll(at, phase, this.#moment(), cpuPercent);
    if (phase !== 'warm-up') this.#seconds.push(second);
    const errors = [...this.#recorder.errors.values()].reduce((sum, row) => sum + row.count, 0);
    const { warmupMs, durationMs } = this.#settings;
    this.#hooks.onSecond?.(second, { errors, warmupMs, durationMs });
    if (!last) this.#schedule();
  }

  /** Stops, after summing up the last part-second if anything happened in it. */
  stop(): Second[] {
    clearTimeout(this.#timer);
    if (this.#recorder.pending) this.#roll(true);
    return this.#seconds;
  }

  measuredCpu(): RunResult['cpu'] {
    const { user, system, wallMs } = this.#measuredCpu;
    return {
      userMs: Math.round(user / 1000),
      systemMs: Math.round(system / 1000),
      percentOfOneCore: wallMs > 0 ? Math.round(((user + system) / 1000 / wallMs) * 1000) / 10 : 0,
    };
  }
}
