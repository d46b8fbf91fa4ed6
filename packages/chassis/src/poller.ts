import type { Logger } from './logger.ts';

/** A background loop's handle: run now or sooner than planned, and stop. */
export interface Poller {
  /** Runs the work now, or once more right after the run under way. */
  wake(): void;
  /** Runs the work in `ms`, if that is sooner than the next planned run. */
  wakeIn(ms: number): void;
  /** Plans no more runs; resolves once the one under way has ended. */
  stop(): Promise<void>;
}

export interface PollerOptions {
  /** The pause after each run before the next, unless woken sooner. */
  intervalMs: number;
  /** One run; resolves true when there may be more to do at once (a full batch). */
  work(): Promise<boolean>;
  log: Logger;
  /** What a run does, for the warning when one fails. */
  what: string;
}

/**
 * Runs `work` at once, then `intervalMs` after each run ends, and sooner when woken;
 * never two runs at once. A run that fails is logged, and the next comes as planned:
 * for sweeps of a table of work to do (messages to send, calls to make).
 */
export function startPoller(options: PollerOptions): Poller {
  let stopped = false;
  let again = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let nextAt = Number.POSITIVE_INFINITY;

  async function loop(): Promise<void> {
    do {
      again = false;
      try {
        if (await options.work()) again = true;
      } catch (error) {
        options.log.warn({ err: error }, `${options.what} failed; trying again at the next poll`);
      }
    } while (again && !stopped);
  }

  function wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (stopped || at >= nextAt) return;
    clearTimeout(timer);
    nextAt = at;
    timer = setTimeout(wake, ms);
  }

  function wake(): void {
    clearTimeout(timer);
    nextAt = Number.POSITIVE_INFINITY;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = loop().finally(() => {
      running = undefined;
      wakeIn(options.intervalMs);
    });
  }

  wake();
  return {
    wake,
    wakeIn,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
