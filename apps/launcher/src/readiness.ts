import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `url/readyz` until it answers 200. Calls `onWaiting` every few seconds so a
 * slow start never looks hung, and gives up after `timeoutMs`.
 */
export async function waitUntilReady(
  url: string,
  options: {
    timeoutMs: number;
    onWaiting?: (elapsedMs: number) => void;
    isAlive?: () => boolean;
    /** The process that should answer: a ready answer from another one (on a port it took) does not count. */
    pid?: () => number | undefined;
  },
): Promise<number> {
  const started = Date.now();
  let lastNotice = started;
  let stranger: number | undefined;
  for (;;) {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json().catch(() => ({}))) as { pid?: number };
      const expected = options.pid?.();
      if (response.status === 200 && (expected === undefined || body.pid === expected)) {
        return Date.now() - started;
      }
      if (response.status === 200) stranger = body.pid;
    } catch {
      // Not listening yet.
    }
    const elapsed = Date.now() - started;
    if (elapsed > options.timeoutMs) {
      const why = stranger ? `: another process (pid ${stranger}) answers on its port` : '';
      throw new Error(`${url} was not ready after ${Math.round(elapsed / 1000)} s${why}`);
    }
    if (options.isAlive && !options.isAlive())
      throw new Error(`${url}: the process exited before it was ready`);
    if (Date.now() - lastNotice >= 3_000) {
      lastNotice = Date.now();
      options.onWaiting?.(elapsed);
    }
    await sleep(100);
  }
}
