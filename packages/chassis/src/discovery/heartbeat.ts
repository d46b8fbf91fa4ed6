import type { Logger } from '../logger.ts';

/**
 * Runs `beat` now and then every interval until stopped. A failed beat never
 * throws: it is logged once per outage (the registry may be restarting), and the
 * recovery is logged too.
 */
export class Heartbeat {
  readonly #beat: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #log: Pick<Logger, 'info' | 'warn'> | undefined;
  readonly #target: string;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;
  #stopped = false;

  constructor(
    beat: () => Promise<void>,
    options: { intervalMs: number; target: string; log?: Pick<Logger, 'info' | 'warn'> | undefined },
  ) {
    this.#beat = beat;
    this.#intervalMs = options.intervalMs;
    this.#log = options.log;
    this.#target = options.target;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    clearInterval(this.#timer);
    await this.beatOnce();
    this.#timer = setInterval(() => void this.beatOnce(), this.#intervalMs);
    this.#timer.unref();
  }

  async beatOnce(): Promise<void> {
    try {
      await this.#beat();
      if (this.#failing) this.#log?.info({ target: this.#target }, 'heartbeats get through again');
      this.#failing = false;
    } catch (error) {
      if (this.#stopped) return;
      if (!this.#failing) this.#log?.warn({ err: error, target: this.#target }, 'heartbeat failed');
      this.#failing = true;
    }
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
