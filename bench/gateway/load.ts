// One load run with autocannon, in its own process (so the load generator's work
// does not share an event loop with anything measured), read back as JSON.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface LoadResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p99_9: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const cli = join(import.meta.dirname, '..', '..', 'node_modules', 'autocannon', 'autocannon.js');

export function runLoad(options: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Requests per second across all connections; unset = as fast as the target answers. */
  rate?: number;
}): Promise<LoadResult> {
  const args = [cli, '--json', '-c', String(options.connections), '-d', String(options.durationSeconds)];
  if (options.rate) args.push('--overallRate', String(options.rate));
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}=${value}`);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) return reject(error);
      const raw = JSON.parse(stdout) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number; p99_9: number; max: number };
        non2xx: number;
        errors: number;
        timeouts: number;
        duration: number;
      };
      resolve({
        requestsPerSecond: Math.round(raw.requests.total / raw.duration),
        latencyMs: {
          p50: raw.latency.p50,
          p99: raw.latency.p99,
          p99_9: raw.latency.p99_9,
          max: raw.latency.max,
        },
        requests: raw.requests.total,
        non2xx: raw.non2xx,
        errors: raw.errors,
        timeouts: raw.timeouts,
      });
    });
  });
}
