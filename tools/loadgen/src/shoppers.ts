// The crowd of live shoppers. A ticket goes to the shopper that has been ready longest
// (its last answer is in and its think time is over); if none is ready a newcomer
// starts a journey picked from the mix; if the crowd is at its bound the ticket cannot
// be served, and the run counts that as an error rather than waiting (waiting would
// be the closed model that hides a slow platform).
import type { AccountPool } from './accounts.ts';
import { newShopper, type Shopper } from './journeys.ts';
import type { JourneyPicker } from './mix.ts';

export interface JourneyCounts {
  started: number;
  /** Every step done, the order (if any) at an end its step expects. */
  completed: number;
  /** Left at an error. */
  failed: number;
  /** Still going when the run ended. */
  cutOff: number;
  /** How its orders ended, by status. */
  outcomes: Record<string, number>;
}

export type Leaving = 'completed' | 'failed' | 'cut-off';
export type NoShopper = 'saturated' | 'no-account';

/** A first-in first-out line without the cost of Array.shift on a long array. */
class Line<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  push(item: T): void {
    this.#items.push(item);
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  drain(): T[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

interface Resting {
  shopper: Shopper;
  readyAt: number;
}

export class Crowd {
  live = 0;
  peakLive = 0;
  /** Signed-in journeys picked while every account was taken: made anonymous ones instead. */
  withoutAccount = 0;
  readonly journeys = new Map<string, JourneyCounts>();
  readonly #ready = new Line<Shopper>();
  /**
   * Shoppers thinking, one line per think time: in a line all think equally long, so
   * they come out in the order they went in, and no heap is needed.
   */
  readonly #resting = new Map<number, Line<Resting>>();
  readonly #picker: JourneyPicker;
  readonly #accounts: AccountPool;
  readonly #maxLive: number;

  constructor(picker: JourneyPicker, accounts: AccountPool, maxLive: number) {
    this.#picker = picker;
    this.#accounts = accounts;
    this.#maxLive = maxLive;
  }

  /** The shopper to take a ticket at `now`, or why there is none. */
  take(now: number): Shopper | NoShopper {
    for (const line of this.#resting.values()) {
      for (let next = line.peek(); next && next.readyAt <= now; next = line.peek()) {
        line.shift();
        this.#ready.push(next.shopper);
      }
    }
    return this.#ready.shift() ?? this.#newcomer();
  }

  /** The shopper's answer is in: it is ready for its next step after `pauseMs`. */
  rest(shopper: Shopper, now: number, pauseMs: number): void {
    if (pauseMs === 0) {
      this.#ready.push(shopper);
      return;
    }
    let line = this.#resting.get(pauseMs);
    if (!line) {
      line = new Line<Resting>();
      this.#resting.set(pauseMs, line);
    }
    line.push({ shopper, readyAt: now + pauseMs });
  }

  leave(shopper: Shopper, how: Leaving): void {
    this.live--;
    const counts = this.#counts(shopper.journey.name);
    if (how === 'completed') counts.completed++;
    else if (how === 'failed') counts.failed++;
    else counts.cutOff++;
    if (shopper.account) this.#accounts.release(shopper.account, shopper.cartFull);
  }

  /** How the shopper's order ended. */
  outcome(shopper: Shopper, status: string): void {
    const { outcomes } = this.#counts(shopper.journey.name);
    outcomes[status] = (outcomes[status] ?? 0) + 1;
  }

  /** The run is over: every shopper not waiting for an answer leaves, cut off. */
  disperse(): void {
    for (const shopper of this.#ready.drain()) this.leave(shopper, 'cut-off');
    for (const line of this.#resting.values())
      for (const { shopper } of line.drain()) this.leave(shopper, 'cut-off');
  }

  #newcomer(): Shopper | NoShopper {
    if (this.live >= this.#maxLive) return 'saturated';
    let journey = this.#picker.pick();
    const account = journey.signedIn ? this.#accounts.claim() : undefined;
    if (journey.signedIn && !account) {
      this.withoutAccount++;
      const anonymous = this.#picker.pickAnonymous();
      if (!anonymous) return 'no-account';
      journey = anonymous;
    }
    this.live++;
    this.peakLive = Math.max(this.peakLive, this.live);
    this.#counts(journey.name).started++;
    return newShopper(journey, account);
  }

  #counts(name: string): JourneyCounts {
    let counts = this.journeys.get(name);
    if (!counts) {
      counts = { started: 0, completed: 0, failed: 0, cutOff: 0, outcomes: {} };
      this.journeys.set(name, counts);
    }
    return counts;
  }
}
