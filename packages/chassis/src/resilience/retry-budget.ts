/**
 * A retry budget (Finagle's, in token form): every request deposits `ratio` of a
 * token and every retry spends a whole one, so retries add at most `ratio` to the
 * load an upstream sees, however many callers retry. A small reserve that refills
 * over time lets the first retries of a quiet caller through.
 */
export class RetryBudget {
  readonly ratio: number;
  readonly #reservePerSecond: number;
  readonly #capacity: number;
  #tokens: number;
  #refilledAt: number;
  #now: () => number;

  constructor(
    options: { ratio?: number; reservePerSecond?: number; capacity?: number; now?: () => number } = {},
  ) {
    this.ratio = options.ratio ?? 0.1;
    this.#reservePerSecond = options.reservePerSecond ?? 1;
    this.#capacity = options.capacity ?? 10;
    this.#now = options.now ?? Date.now;
    this.#tokens = this.#capacity;
    this.#refilledAt = this.#now();
  }

  /** Called once for every first attempt. */
  recordRequest(): void {
    this.#refill();
    this.#tokens = Math.min(this.#capacity, this.#tokens + this.ratio);
  }

  /** Spends one token if there is one; false means do not retry. */
  tryRetry(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  get available(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#refilledAt) / 1000;
    this.#refilledAt = now;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#reservePerSecond);
  }
}
