/**
 * The sleep of a loop that something else wakes (a NOTIFY, a commit, a stop): a
 * wake-up ends the sleep under way, and one that comes while the loop is awake is
 * remembered, so the next sleep does not begin. The loop forgets it (`reset`) just
 * before it looks for work, so a wake-up during that look is never lost.
 */
export interface WakeUp {
  /** Whether a wake-up came since the last `reset`. */
  readonly signalled: boolean;
  reset(): void;
  wake(): void;
  /** Sleeps `ms`, ended by a wake-up; not at all if one came since the last `reset`. */
  sleep(ms: number): Promise<void>;
}

export function wakeUp(): WakeUp {
  let signalled = false;
  let endSleep: (() => void) | undefined;
  return {
    get signalled() {
      return signalled;
    },
    reset() {
      signalled = false;
    },
    wake() {
      signalled = true;
      endSleep?.();
    },
    sleep(ms) {
      if (signalled) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        endSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      }).finally(() => {
        endSleep = undefined;
      });
    },
  };
}
