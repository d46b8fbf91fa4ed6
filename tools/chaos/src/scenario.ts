// What a chaos scenario is: a real fault, the criterion it must pass, and how it runs
// (under the storefront load, or as its own traffic). Every one ends with the
// invariant auditor on the platform once it is quiet again (runner.ts).
import type { Shop } from '../../../test/e2e/shop.ts';
import type { FaultClock, FaultWindow } from './under-load.ts';

export interface ScenarioContext {
  dataDir: string;
  shop: Shop;
  log(line: string): void;
}

/** What a scenario brings beyond the embedded platform (a NATS server): its settings, and how to take it down. */
export interface Infrastructure {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface Scenario {
  name: string;
  fault: string;
  criterion: string;
  /** The platform's settings for this scenario (a saga mode, a bus fault mode). */
  env?: Record<string, string>;
  /** Starts what the platform needs beyond its own, before it starts; stopped after it. */
  infrastructure?(dataDir: string): Promise<Infrastructure>;
  /** The load the fault is injected under (the storefront mix); none for a scenario that is its own load. */
  load?: { rate: number; durationS: number; shoppers: number };
  /** Injects the faults during the load; the windows it injected them in. */
  inject?(context: ScenarioContext, clock: FaultClock): Promise<FaultWindow[]>;
  /** Undoes what the fault left behind, once the platform has stopped. */
  cleanup?(context: ScenarioContext): Promise<void>;
  /** Runs the scenario's own traffic, and what broke its criterion (empty: it held). */
  act?(context: ScenarioContext): Promise<{ figures: Record<string, number>; failures: string[] }>;
}

/** A time on the fault clock, to a tenth of a second. */
export const round = (seconds: number) => Math.round(seconds * 10) / 10;

/** The window from `from` to now, labelled, failed when `failure` says something. */
export function windowUntilNow(clock: FaultClock, from: number, label: string, failure = ''): FaultWindow {
  return { from: round(from), to: round(clock.now()), label, ...(failure ? { failure } : {}) };
}
