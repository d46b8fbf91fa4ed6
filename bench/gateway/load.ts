// Runs one load run in a child process (load-worker.ts) and reads back its summary.
import { fork } from 'node:child_process';
import { join } from 'node:path';

export interface LoadSpec {
  mode: 'saturation' | 'overallRate' | 'paced';
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Requests per second across all connections (overallRate and paced). */
  rate?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Per response, from the request going out to the whole response read. */
  latencyMs: { p50: number; p90: number; p99: number; p99_9: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** saturation only: CPU the target's own processes spent per request (cpu.ts). */
  cpuMicrosecondsPerRequest?: number;
  /** paced only: how far behind its schedule the sender put requests out. */
  senderLateMs?: { p50: number; p99: number };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Exact percentiles (nearest rank) of every latency recorded, in milliseconds. */
export function summarise(
  latencies: number[],
  counts: { seconds: number; requests: number; non2xx: number; errors: number; timeouts: number },
): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
  return {
    requestsPerSecond: Math.round(counts.requests / counts.seconds),
    latencyMs: { p50: at(50), p90: at(90), p99: at(99), p99_9: at(99.9), max: round(sorted.at(-1) ?? 0) },
    requests: counts.requests,
    non2xx: counts.non2xx,
    errors: counts.errors,
    timeouts: counts.timeouts,
  };
}

const worker = join(import.meta.dirname, 'load-worker.ts');
const running = new Set<ReturnType<typeof fork>>();

/** Stops any load run still going (the bench is exiting). */
export function stopLoad(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(worker, [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    running.add(child);
    let result: LoadResult | undefined;
    child.on('message', (message) => {
      result = message as LoadResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      running.delete(child);
      if (result) resolve(result);
      else reject(new Error(`load run (${spec.mode} ${spec.url}) exited with ${code} and no result`));
    });
  });
}
