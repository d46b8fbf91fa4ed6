// The open model's clock: tickets (request arrivals) at exact intended times, from
// the target rate alone. Nothing here waits for an answer, so a slow platform cannot
// slow the arrivals down and hide its own slowness (coordinated omission).

/** How the target rate, in requests per second, moves over the measured window. */
export type Shape =
  | { kind: 'constant'; rate: number }
  /** From `from` at the start to `to` at the end, linearly. */
  | { kind: 'ramp'; from: number; to: number }
  /** Each rate for an equal share of the duration, in order. */
  | { kind: 'steps'; rates: number[] };

const NUMBER = /^\d+(\.\d+)?$/;

function rate(text: string, whole: string): number {
  if (!NUMBER.test(text)) throw new Error(`--rate ${whole}: "${text}" is not a rate in requests per second`);
  return Number(text);
}

/** `--rate`: `200` (constant), `100..1000` (ramp), `200,500,1000` (steps). */
export function parseShape(text: string): Shape {
  let shape: Shape;
  if (text.includes('..')) {
    const [from = '', to = '', ...rest] = text.split('..');
    if (rest.length) throw new Error(`--rate ${text}: a ramp is FROM..TO`);
    shape = { kind: 'ramp', from: rate(from, text), to: rate(to, text) };
  } else if (text.includes(',')) {
    shape = { kind: 'steps', rates: text.split(',').map((part) => rate(part, text)) };
  } else {
    shape = { kind: 'constant', rate: rate(text, text) };
  }
  const rates =
    shape.kind === 'constant' ? [shape.rate] : shape.kind === 'ramp' ? [shape.from, shape.to] : shape.rates;
  if (rates.every((value) => value === 0)) throw new Error(`--rate ${text}: the rate must be above 0`);
  return shape;
}

/** A piece of the schedule whose rate moves linearly from `from` to `to`. */
interface Segment {
  startMs: number;
  durationMs: number;
  from: number;
  to: number;
}

function segmentsOf(shape: Shape, durationMs: number): Segment[] {
  if (shape.kind === 'constant') return [{ startMs: 0, durationMs, from: shape.rate, to: shape.rate }];
  if (shape.kind === 'ramp') return [{ startMs: 0, durationMs, from: shape.from, to: shape.to }];
  const each = durationMs / shape.rates.length;
  return shape.rates.map((value, index) => ({
    startMs: index * each,
    durationMs: each,
    from: value,
    to: value,
  }));
}

/** The target rate `atMs` into the measured window of `durationMs`. */
export function targetRateAt(shape: Shape, durationMs: number, atMs: number): number {
  const segments = segmentsOf(shape, durationMs);
  const segment =
    segments.find((s) => atMs >= s.startMs && atMs < s.startMs + s.durationMs) ?? segments.at(-1);
  if (!segment) return 0;
  const into = Math.min(Math.max(atMs - segment.startMs, 0), segment.durationMs);
  return segment.from + ((segment.to - segment.from) * into) / segment.durationMs;
}

/**
 * The intended offsets (ms from the start) of every ticket: a warm-up at the shape's
 * first rate, then the measured window. Within a segment, ticket n is where the
 * arrivals so far, the integral of the rate, reach n.
 */
export class ArrivalSchedule {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly #segments: Segment[];
  #segment = 0;
  #n = 0;

  constructor(shape: Shape, durationMs: number, warmupMs = 0) {
    this.durationMs = durationMs;
    this.warmupMs = warmupMs;
    const first = targetRateAt(shape, durationMs, 0);
    const warmup = warmupMs > 0 ? [{ startMs: 0, durationMs: warmupMs, from: first, to: first }] : [];
    const measured = segmentsOf(shape, durationMs).map((s) => ({ ...s, startMs: s.startMs + warmupMs }));
    this.#segments = [...warmup, ...measured];
  }

  /** The next ticket's intended offset in ms, or undefined once the schedule is over. */
  next(): number | undefined {
    for (;;) {
      const segment = this.#segments[this.#segment];
      if (!segment) return undefined;
      const at = offsetOf(segment, this.#n);
      if (at < segment.durationMs) {
        this.#n++;
        return segment.startMs + at;
      }
      this.#segment++;
      this.#n = 0;
    }
  }
}

/**
 * When arrival `n` (from 0) of a segment is due: the t where a·t + k·t² = n, with a the
 * starting rate and k half the rate's slope, both per ms. Written 2n / (a + √(a² + 4kn)),
 * which stays exact for a flat segment (k = 0) and for a ramp from 0 (a = 0).
 */
function offsetOf(segment: Segment, n: number): number {
  if (n === 0) return segment.from > 0 || segment.to > 0 ? 0 : Number.POSITIVE_INFINITY;
  const a = segment.from / 1000;
  const k = (segment.to - segment.from) / 1000 / segment.durationMs / 2;
  const discriminant = a * a + 4 * k * n;
  if (discriminant < 0) return Number.POSITIVE_INFINITY;
  const denominator = a + Math.sqrt(discriminant);
  return denominator > 0 ? (2 * n) / denominator : Number.POSITIVE_INFINITY;
}

export interface Ticker {
  /** No ticket after this one. */
  stop(): void;
  /** Settles when the last ticket was given out (or stop was called). */
  done: Promise<void>;
}

/**
 * Gives out every ticket of `schedule` as it falls due on `performance.now()`'s clock,
 * `origin` being offset 0. A timer that wakes late gives out everything due at once,
 * each with its own intended time: lateness is the load generator's, and it is counted
 * against the answer's latency, never hidden by moving the ticket.
 */
export function startTicker(
  schedule: ArrivalSchedule,
  origin: number,
  onTicket: (intendedAt: number, now: number) => void,
): Ticker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let next = schedule.next();
  const tick = () => {
    const now = performance.now();
    while (!stopped && next !== undefined && origin + next <= now) {
      onTicket(origin + next, now);
      next = schedule.next();
    }
    if (stopped || next === undefined) return finish();
    timer = setTimeout(tick, Math.max(0, origin + next - performance.now()));
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      finish();
    },
    done,
  };
}
