// A prober beside the load: one request at a steady pace for the length of a window,
// each answer timed and kept, so a scenario can say how a route behaved while its
// fault was on (how fast it failed, whether with a problem, when it came back).
import { createHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Sample {
  /** Epoch ms the request started. */
  at: number;
  ms: number;
  status: number;
  /** The answer was an application/problem+json document. */
  problem: boolean;
}

type Ask = () => Promise<{ status: number; headers: Headers }>;

/** Asks every `everyMs` until `stop` resolves; a request in flight is awaited, not cut. */
export async function sample(ask: Ask, everyMs: number, stop: Promise<unknown>): Promise<Sample[]> {
  const samples: Sample[] = [];
  const inFlight: Promise<void>[] = [];
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  while (!stopped) {
    const at = Date.now();
    inFlight.push(
      ask().then(
        (answer) => {
          const problem = (answer.headers.get('content-type') ?? '').includes('application/problem+json');
          samples.push({ at, ms: Date.now() - at, status: answer.status, problem });
        },
        () => {
          samples.push({ at, ms: Date.now() - at, status: 0, problem: false });
        },
      ),
    );
    await Promise.race([sleep(everyMs), stop]);
  }
  await Promise.all(inFlight);
  return samples.sort((a, b) => a.at - b.at);
}

/** The `p`th percentile of the samples' latencies, in ms (null with none). */
export function percentileMs(samples: readonly Sample[], p: number): number | null {
  if (samples.length === 0) return null;
  const histogram = createHistogram({ lowest: 1, highest: 600_000_000, figures: 3 });
  for (const { ms } of samples) histogram.record(Math.max(1, Math.round(ms * 1_000)));
  return Math.round(histogram.percentile(p) / 100) / 10;
}
