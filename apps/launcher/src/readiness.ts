import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `url/readyz` until it answers 200. Calls `onWaiting` every few seconds so a
 * slow start never looks hung, and gives up after `timeoutMs`.
 */
export async function waitUntilReady(
  url: string,
  options: { timeoutMs: number; onWaiting?: (elapsedMs: number) => void; isAlive?: () => boolean },
): Promise<number> {
  const started = Date.now();
  let lastNotice = started;
  for (;;) {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return Date.now() - started;
    } catch {
      // Not listening yet.
    }
    const elapsed = Date.now() - started;
    if (elapsed > options.timeoutMs)
      throw new Error(`${url} was not ready after ${Math.round(elapsed / 1000)} s`);
    if (options.isAlive && !options.isAlive())
      throw new Error(`${url}: the process exited before it was ready`);
    if (Date.now() - lastNotice >= 3_000) {
      lastNotice = Date.now();
      options.onWaiting?.(elapsed);
    }
    await sleep(100);
  }
}
