// The console's own scrapes of every instance's /metrics (the URLs are in the
// launcher's state), kept as a short history per service: 15 minutes at one point
// every 5 s. It scrapes only while someone looks (a Metrics page or its live stream
// asked within the last minute), so an idle console costs the platform nothing.
import type { PlatformView } from '../platform.ts';
import { parseExposition, type Sample } from './exposition.ts';
import {
  type Point,
  pointBetween,
  type RouteStats,
  routesBetween,
  type Snapshot,
  snapshotOf,
} from './series.ts';

const EVERY_MS = 5_000;
const KEEP = 180;
const IDLE_MS = 60_000;
const ROUTE_WINDOW_MS = 60_000;

async function scrape(url: string): Promise<Sample[]> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return answer.ok ? parseExposition(await answer.text()) : [];
  } catch {
    return [];
  }
}

export class MetricsWatch {
  readonly #platform: PlatformView;
  /** Each service's snapshots of the last minute (the routes' table spans them). */
  readonly #recent = new Map<string, Snapshot[]>();
  readonly #points = new Map<string, Point[]>();
  #timer: NodeJS.Timeout | undefined;
  #viewedAt = 0;

  readonly #everyMs: number;

  constructor(platform: PlatformView, options: { everyMs?: number } = {}) {
    this.#platform = platform;
    this.#everyMs = options.everyMs ?? EVERY_MS;
  }

  /** Someone is looking: scrape (from now on, and at once if not yet). */
  touch(): void {
    this.#viewedAt = Date.now();
    if (this.#timer) return;
    void this.#tick();
  }

  /** Every service's points, oldest first. */
  series(): Map<string, Point[]> {
    return this.#points;
  }

  /** Each service's routes over the last minute (or as much of it as was scraped). */
  routes(): Map<string, RouteStats[]> {
    const routes = new Map<string, RouteStats[]>();
    for (const [service, snapshots] of this.#recent) {
      const [first, last] = [snapshots[0], snapshots.at(-1)];
      if (first && last && first !== last) routes.set(service, routesBetween(first, last));
    }
    return routes;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    this.#timer = setTimeout(() => void this.#tick(), this.#everyMs);
    if (Date.now() - this.#viewedAt > IDLE_MS) return this.stop();
    const state = await this.#platform.state().catch(() => undefined);
    if (!state) return;
    const byService = new Map<string, Sample[]>();
    await Promise.all(
      state.services.map(async (instance) => {
        const samples = await scrape(instance.metrics);
        byService.set(instance.name, [...(byService.get(instance.name) ?? []), ...samples]);
      }),
    );
    const now = Date.now();
    for (const [service, samples] of byService) {
      if (samples.length === 0) continue;
      const snapshot = snapshotOf(now, samples);
      const recent = this.#recent.get(service) ?? [];
      const before = recent.at(-1);
      this.#recent.set(
        service,
        [...recent, snapshot].filter((x) => now - x.at <= ROUTE_WINDOW_MS),
      );
      if (!before) continue;
      const points = [...(this.#points.get(service) ?? []), pointBetween(before, snapshot)];
      this.#points.set(service, points.slice(-KEEP));
    }
  }
}
