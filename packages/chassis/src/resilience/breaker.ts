import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  CountBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';

export interface BreakerOptions {
  /** Share (0-1) of failed or slow calls in the window that opens the circuit. */
  failureRateThreshold: number;
  /** A call slower than this counts against the circuit like a failure. */
  slowCallMs: number;
  /** Calls in the count-based sliding window. */
  windowSize: number;
  /** No decision before this many calls are in the window. */
  minimumCalls: number;
  /** How long the circuit stays open before it admits trial calls. */
  openMs: number;
  /** Trial calls admitted while half-open; all must succeed for it to close. */
  halfOpenCalls: number;
  /**
   * How long a read's caller waits on a trial call before it is refused as if open
   * (the trial runs on and decides): a hung upstream costs no user more than this.
   */
  trialPatienceMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  failureRateThreshold: 0.5,
  slowCallMs: 2_000,
  windowSize: 20,
  minimumCalls: 10,
  openMs: 5_000,
  halfOpenCalls: 3,
  trialPatienceMs: 200,
};

export type BreakerStateName = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** What a guarded call reports, so the breaker can judge it without the call throwing. */
export interface CallOutcome {
  failed: boolean;
  elapsedMs: number;
  /** This call's own threshold for slow, when its caller allowed it longer than usual. */
  slowCallMs?: number;
}

export { BrokenCircuitError };

/** How a caller may treat a trial call (half-open) that is slow to answer. */
export interface TrialOptions<T> {
  /**
   * Past this, the caller is refused as if the circuit were open, while the trial goes
   * on and its outcome still decides the circuit: a user is not kept waiting on a
   * probe of an upstream that may hang. Only for calls that may be abandoned (reads).
   */
  abandonAfterMs?: number;
  /** Hears the outcome of a trial the caller abandoned (to release what it holds). */
  onAbandoned?: (outcome: T) => void;
}

const ABANDONED = Symbol('abandoned');

/**
 * A circuit breaker with Resilience4j's semantics, from cockatiel (no arithmetic of
 * ours): a count-based sliding window of `windowSize` calls that opens the circuit
 * when at least `minimumCalls` are in it and the share of failed or slow ones reaches
 * `failureRateThreshold`; open for `openMs` (calls fail fast), then half-open with
 * `halfOpenCalls` trial calls that must all succeed to close it, else it opens again.
 */
export class Breaker {
  readonly options: BreakerOptions;
  readonly #policy: CircuitBreakerPolicy;
  #since = Date.now();
  #openedAt = 0;
  /** Trial calls in flight while not closed (cockatiel would queue extras; we refuse them). */
  #trials = 0;
  /** Called on every state change. */
  onStateChange: (to: BreakerStateName) => void = () => {};

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...DEFAULT_BREAKER, ...options };
    this.#policy = circuitBreaker(
      handleAll.orWhenResult((result) => {
        const outcome = result as CallOutcome;
        return outcome.failed || outcome.elapsedMs >= (outcome.slowCallMs ?? this.options.slowCallMs);
      }),
      {
        halfOpenAfter: this.options.openMs,
        breaker: new CountBreaker({
          // cockatiel opens above the threshold, Resilience4j at it: nudge it down.
          threshold: Math.max(Number.EPSILON, this.options.failureRateThreshold - 1e-9),
          size: this.options.windowSize,
          minimumNumberOfCalls: this.options.minimumCalls,
        }),
        halfOpenSampling: { calls: this.options.halfOpenCalls, threshold: 0 },
      },
    );
    this.#policy.onStateChange((state) => {
      this.#since = Date.now();
      if (state === CircuitState.Open) this.#openedAt = this.#since;
      this.onStateChange(STATE_NAMES[state]);
    });
  }

  /**
   * Runs `call` if the circuit admits it, else throws `BrokenCircuitError`. While
   * half-open, calls beyond the trial calls already in flight are refused at once, as
   * Resilience4j does, instead of waiting for the trials' verdict; a trial the caller
   * may abandon is refused too once it outlasts `abandonAfterMs` (it runs on).
   */
  async execute<T extends CallOutcome>(call: () => Promise<T>, trial: TrialOptions<T> = {}): Promise<T> {
    if (this.#policy.state === CircuitState.Closed) return this.#policy.execute(call);
    if (this.#trials >= this.options.halfOpenCalls) throw new BrokenCircuitError();
    this.#trials += 1;
    const running = this.#policy.execute(call).finally(() => {
      this.#trials -= 1;
    });
    if (trial.abandonAfterMs === undefined) return running;
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<typeof ABANDONED>((resolve) => {
      timer = setTimeout(() => resolve(ABANDONED), trial.abandonAfterMs);
    });
    const first = await Promise.race([running, patience]).finally(() => clearTimeout(timer));
    if (first !== ABANDONED) return first;
    running.then(
      (late) => trial.onAbandoned?.(late),
      () => {},
    );
    throw new BrokenCircuitError();
  }

  get state(): BreakerStateName {
    return STATE_NAMES[this.#policy.state];
  }

  /** When the state last changed (epoch ms). */
  get since(): number {
    return this.#since;
  }

  /** Seconds until an open circuit admits trial calls (at least 1). */
  retryAfterSeconds(now = Date.now()): number {
    return Math.max(1, Math.ceil((this.#openedAt + this.options.openMs - now) / 1000));
  }
}
