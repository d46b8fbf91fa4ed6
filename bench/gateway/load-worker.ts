// One load run in its own process (forked by load.ts), so the load generator never
// shares an event loop with the bench's bookkeeping. Every latency is recorded as it
// arrives, with sub-millisecond precision, and summarised here; only the summary goes
// back over IPC. Three modes:
//   saturation:  autocannon, N connections, each sending its next request on the
//                previous response (closed loop).
//   overallRate: autocannon's `overallRate`. autocannon gives each connection a
//                per-second quota that it sends back to back as each second starts,
//                so this is a burst of `rate` requests at the top of every second.
//   paced:       open loop, one request every 1/rate s (node:http, keep-alive pool of
//                N sockets), whether or not earlier ones have answered; a first
//                second of the same is sent before recording starts.
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { type LoadResult, type LoadSpec, summarise } from './load.ts';

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function withAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        headers: spec.headers,
        connections: spec.connections,
        duration: spec.durationSeconds,
        ...(spec.mode === 'overallRate' ? { overallRate: spec.rate } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        resolve(
          summarise(latencies, {
            seconds: result.duration,
            requests: result.requests.total,
            non2xx: result.non2xx,
            errors: result.errors,
            timeouts: result.timeouts,
          }),
        );
      },
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
}

function paced(spec: LoadSpec): Promise<LoadResult> {
  const rate = spec.rate ?? 500;
  const target = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const interval = 1000 / rate;
  // The first second is sent but not recorded: new sockets and a cold client.
  const leadIn = Math.round(rate);
  const total = leadIn + Math.round(rate * spec.durationSeconds);
  const latencies: number[] = [];
  const lateMs: number[] = [];
  let sent = 0;
  let settled = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  const start = performance.now();
  let recordedFrom = start;
  return new Promise((resolve) => {
    const settle = () => {
      if (++settled < total) return;
      agent.destroy();
      const result = summarise(latencies, {
        seconds: (performance.now() - recordedFrom) / 1000,
        requests: latencies.length,
        non2xx,
        errors,
        timeouts,
      });
      const late = summarise(lateMs, { seconds: 1, requests: 0, non2xx: 0, errors: 0, timeouts: 0 });
      resolve({ ...result, senderLateMs: { p50: late.latencyMs.p50, p99: late.latencyMs.p99 } });
    };
    const send = (recorded: boolean) => {
      const began = performance.now();
      let timedOut = false;
      const outgoing = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, headers: spec.headers },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (recorded) latencies.push(performance.now() - began);
            // Counted over the lead-in too, like errors: any failure is one.
            if ((response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) >= 300) non2xx += 1;
            settle();
          });
        },
      );
      outgoing.setTimeout(10_000, () => {
        timeouts += 1;
        timedOut = true;
        outgoing.destroy(new Error('timeout'));
      });
      outgoing.on('error', () => {
        if (!timedOut) errors += 1;
        settle();
      });
      outgoing.end();
    };
    const tick = () => {
      const now = performance.now();
      // Everything due by now goes out now; how late the timer woke is kept, to show
      // the sender kept to its schedule.
      while (sent < total && start + sent * interval <= now) {
        if (sent === leadIn) recordedFrom = now;
        if (sent >= leadIn) lateMs.push(now - (start + sent * interval));
        sent += 1;
        send(sent > leadIn);
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
}

process.on('disconnect', () => process.exit(1));
const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const result = spec.mode === 'paced' ? await paced(spec) : await withAutocannon(spec);
process.send?.(result, () => process.exit(0));
