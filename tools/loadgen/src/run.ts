// One load run: the ticker gives out tickets at their intended times, the crowd finds
// a shopper for each, the shopper's step goes to the gateway, and the answer is
// recorded against the ticket's intended time. After the last ticket the run drains:
// every request still in flight is waited for (up to the timeout) and recorded, so
// the slowest answers of the window are not the ones left out.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountPool } from './accounts.ts';
import type { Catalog } from './catalog.ts';
import { classifyAnswer, type ErrorKind, type OrderProgress } from './classify.ts';
import type { Answer, Gateway } from './client.ts';
import { callFor, learn, type Shopper } from './journeys.ts';
import { JourneyPicker, type Mix, type Step } from './mix.ts';
import { Random } from './random.ts';
import { Recorder, type Second } from './recorder.ts';
import { ArrivalSchedule, type Shape, startTicker } from './schedule.ts';
import { SecondClock } from './second-clock.ts';
import { Crowd } from './shoppers.ts';

export interface RunSettings {
  shape: Shape;
  durationMs: number;
  warmupMs: number;
  maxLive: number;
  timeoutMs: number;
  seed: number;
}

export interface RunParts {
  gateway: Gateway;
  mix: Mix;
  catalog: Catalog;
  accounts: AccountPool;
}

export interface RunHooks {
  /** Once a second, warm-up and drain included. */
  onSecond?(second: Second, run: { errors: number; warmupMs: number; durationMs: number }): void;
  /** The first 429 of the run. */
  onRateLimited?(): void;
}

export interface RunResult {
  recorder: Recorder;
  crowd: Crowd;
  /** The measured seconds and the drain after them, for the time plots. */
  seconds: Second[];
  startedAt: string;
  /** How long the measured window really lasted (shorter if the run was stopped). */
  measuredMs: number;
  drainMs: number;
  /** The load generator's own CPU time over the measured window. */
  cpu: { userMs: number; systemMs: number; percentOfOneCore: number };
  stoppedEarly: boolean;
}

/** `title: detail` of a problem answer, else the start of the body or the error's message. */
function sampleOf(answer: Answer): string {
  if (answer.status === 0) return `${answer.failure}: ${answer.message ?? ''}`;
  try {
    const problem = JSON.parse(answer.body ?? '') as { title?: string; detail?: string };
    if (problem.title) return problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
  } catch {
    // Not JSON: shown as it came.
  }
  return (answer.body ?? '').slice(0, 200);
}

export class LoadRun {
  readonly recorder: Recorder;
  readonly crowd: Crowd;
  readonly #settings: RunSettings;
  readonly #parts: RunParts;
  readonly #hooks: RunHooks;
  readonly #random: Random;
  readonly #origin: number;
  readonly #schedule: ArrivalSchedule;
  #ticker: ReturnType<typeof startTicker> | undefined;
  /** Shoppers waiting for an answer, with the step it answers. */
  readonly #inFlight = new Map<Shopper, Step>();
  #closing = false;
  #rateLimited = false;
  #stopped = false;
  readonly #runId = `load-${randomBytes(3).toString('hex')}`;
  #sent = 0;

  constructor(settings: RunSettings, parts: RunParts, hooks: RunHooks = {}) {
    this.#settings = settings;
    this.#parts = parts;
    this.#hooks = hooks;
    this.#random = new Random(settings.seed);
    this.crowd = new Crowd(new JourneyPicker(parts.mix, this.#random), parts.accounts, settings.maxLive);
    this.#schedule = new ArrivalSchedule(settings.shape, settings.durationMs, settings.warmupMs);
    this.#origin = performance.now();
    const windowStart = this.#origin + settings.warmupMs;
    this.recorder = new Recorder(windowStart, windowStart + settings.durationMs);
  }

  /** Ends the arrivals now (Ctrl-C); the run then drains and reports what it measured. */
  stop(): void {
    this.#stopped = true;
    this.#ticker?.stop();
  }

  async run(): Promise<RunResult> {
    const startedAt = new Date().toISOString();
    const clock = new SecondClock(
      this.#origin,
      this.#settings,
      this.recorder,
      () => ({ live: this.crowd.live, ...this.#parts.gateway.connections() }),
      this.#hooks,
    );
    this.#ticker = startTicker(this.#schedule, this.#origin, (intendedAt, now) =>
      this.#ticket(intendedAt, now),
    );
    await this.#ticker.done;
    const lastTicketAt = performance.now();
    this.#closing = true;
    this.crowd.disperse();
    const giveUp = lastTicketAt + this.#settings.timeoutMs + 2_000;
    while (this.#inFlight.size > 0 && performance.now() < giveUp) await sleep(20);
    this.#abandonInFlight();
    const seconds = clock.stop();
    await this.#parts.accounts.settled();
    // The whole window unless stopped: its last ticket falls a little before its end.
    const windowStart = this.#origin + this.#settings.warmupMs;
    const measuredMs = this.#stopped
      ? Math.max(0, Math.min(lastTicketAt, windowStart + this.#settings.durationMs) - windowStart)
      : this.#settings.durationMs;
    return {
      recorder: this.recorder,
      crowd: this.crowd,
      seconds,
      startedAt,
      measuredMs,
      drainMs: performance.now() - lastTicketAt,
      cpu: clock.measuredCpu(),
      stoppedEarly: this.#stopped,
    };
  }

  #ticket(intendedAt: number, now: number): void {
    this.recorder.ticket(intendedAt, now - intendedAt);
    const shopper = this.crowd.take(now);
    if (shopper === 'saturated' || shopper === 'no-account') {
      this.recorder.saturation(intendedAt, shopper === 'saturated' ? 'max-live' : 'accounts');
      return;
    }
    const step = shopper.journey.steps[shopper.step] as Step;
    shopper.intendedAt = intendedAt;
    const call = callFor(step, shopper, this.#parts.catalog, this.#random);
    // One small string and header object per request: what lets an error be looked up
    // in the platform's logs (grep the id in .data/logs/*.log).
    shopper.correlationId = `${this.#runId}-${++this.#sent}`;
    call.headers = { ...call.headers, 'x-correlation-id': shopper.correlationId };
    this.#inFlight.set(shopper, step);
    this.#parts.gateway.send(call).then((answer) => {
      // Answered after the run gave up on it: already recorded as a timeout.
      if (!this.#inFlight.delete(shopper)) return;
      this.#answered(shopper, step, answer);
    });
  }

  /**
   * Requests still unanswered long after the last ticket (queued behind busy
   * connections, then timed out one by one) are recorded as timeouts now, with the
   * latency they have reached, rather than left out of the report.
   */
  #abandonInFlight(): void {
    const now = performance.now();
    for (const [shopper, step] of this.#inFlight) {
      this.recorder.ended(step.do, shopper.intendedAt, {
        endedAt: now,
        error: 'timeout',
        status: 0,
        sample: `still unanswered when the run ended (waiting for a connection, or for the platform) [${shopper.correlationId}]`,
      });
      this.crowd.leave(shopper, 'cut-off');
    }
    this.#inFlight.clear();
  }

  #answered(shopper: Shopper, step: Step, answer: Answer): void {
    let error: ErrorKind | undefined = classifyAnswer(step.do, answer.status, answer.failure, step.expected);
    let status: number | string = answer.status;
    let sample = error ? `${sampleOf(answer)} [${shopper.correlationId}]` : undefined;
    let progress: OrderProgress | undefined;
    if (!error) {
      try {
        progress = learn(step, shopper, answer.body, answer.endedAt);
      } catch (failure) {
        error = 'unexpected-status';
        sample = `the answer could not be read: ${(failure as Error).message}`;
      }
    }
    if (progress?.state === 'ended') {
      this.crowd.outcome(shopper, progress.status);
      if (progress.error) {
        [error, status] = [progress.error, progress.status];
        sample = `${progress.detail ?? ''} [${shopper.correlationId}]`.trim();
      }
    }
    this.recorder.ended(step.do, shopper.intendedAt, {
      endedAt: answer.endedAt,
      status,
      ...(error ? { error } : {}),
      ...(sample ? { sample } : {}),
      ...(answer.cache ? { cache: answer.cache } : {}),
    });
    if (answer.status === 429 && !this.#rateLimited) {
      this.#rateLimited = true;
      this.#hooks.onRateLimited?.();
    }
    this.#next(shopper, step, error, progress, answer.endedAt);
  }

  #next(
    shopper: Shopper,
    step: Step,
    error: ErrorKind | undefined,
    progress: OrderProgress | undefined,
    now: number,
  ) {
    if (error) return this.crowd.leave(shopper, 'failed');
    // An order on its way: the same step again, after its polling interval.
    const pollAgainIn =
      step.do === 'order-status' && progress?.state === 'waiting' ? step.everyMs : undefined;
    if (pollAgainIn === undefined) shopper.step++;
    // A journey whose last step just ended is complete, even as the run closes.
    if (shopper.step >= shopper.journey.steps.length) return this.crowd.leave(shopper, 'completed');
    if (this.#closing) return this.crowd.leave(shopper, 'cut-off');
    this.crowd.rest(shopper, now, pollAgainIn ?? step.pauseMs);
  }
}
