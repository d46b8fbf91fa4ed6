import { backoffDelay } from '@platform/chassis/backoff';

/**
 * When to restart a crashed process: exponential backoff from `baseMs`, capped at
 * `maxMs`, so a crash loop does not spin; a process that had run for `stableAfterMs`
 * before it died is treated as a first crash again.
 */
export class RestartPolicy {
  #crashes = 0;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #stableAfterMs: number;

  constructor(options: { baseMs: number; maxMs: number; stableAfterMs: number }) {
    this.#baseMs = options.baseMs;
    this.#maxMs = options.maxMs;
    this.#stableAfterMs = options.stableAfterMs;
  }

  get consecutiveCrashes(): number {
    return this.#crashes;
  }

  /** Records a crash after the process ran `ranForMs`, and returns how long to wait before restarting. */
  nextDelay({ ranForMs }: { ranForMs: number }): number {
    if (ranForMs >= this.#stableAfterMs) this.#crashes = 0;
    this.#crashes += 1;
    return backoffDelay(this.#crashes, { baseDelayMs: this.#baseMs, maxDelayMs: this.#maxMs });
  }
}
