// Gateway benchmark (issue 5): GET /api/v1/users/me with a bearer token against one
// tiny upstream, measured directly, through our gateway with every policy on (JWT
// verification at the edge, rate limit, the service client with breaker, bulkhead and
// retries, metrics, tracing at the default sampling), through nginx as a plain
// reverse proxy, and through the barest Node.js proxy (bare-proxy.ts: what Node
// itself costs, the floor any gateway in Node stands on). The same load runs, from a process of their own, against all three:
//   warm-up     autocannon, 8 connections, as fast as it answers (not recorded)
//   paced       open loop at --rate req/s, one request every 1/rate s
//   overallRate autocannon --overallRate: --rate req/s sent as a burst each second
//   saturation  autocannon, --connections connections, as fast as it answers
// Run: npm run bench -- gateway [--duration 10] [--rate 500] [--connections 32]
//        [--targets direct,bare,gateway,nginx] [--profile DIR]
// Writes bench/results/gateway.json when every target ran. --profile writes the
// gateway's V8 CPU profile (open it in Chrome's DevTools or speedscope) into DIR.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, listOption, numberOption } from '@platform/devinfra/command-line';
import { machineDetails } from '../machine.ts';
import { cpuMicroseconds } from './cpu.ts';
import { type LoadResult, type LoadSpec, runLoad } from './load.ts';
import { nginxBinary } from './nginx.ts';
import {
  benchIssuer,
  expectOk,
  path,
  type Started,
  startBareProxy,
  startGateway,
  startProxy,
  startUpstream,
  stopAllAndWait,
  stopOnExit,
} from './targets.ts';

const root = join(import.meta.dirname, '..', '..');
const USAGE = `usage: npm run bench -- gateway [--duration 10] [--rate 500] [--connections 32] [--rate-connections 16]
       [--warmup 2] [--targets direct,bare,gateway,nginx] [--profile DIR]

GET /api/v1/users/me against one tiny upstream: directly, through the barest Node.js
proxy, through our gateway and through nginx; paced at --rate, in bursts, and saturated
with --connections. Writes bench/results/gateway.json when every target ran; --profile
writes the gateway's CPU profile into DIR.`;
const { values } = commandLine(USAGE, {
  options: {
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    connections: { type: 'string', default: '32' },
    'rate-connections': { type: 'string', default: '16' },
    warmup: { type: 'string', default: '2' },
    targets: { type: 'string', default: 'direct,bare,gateway,nginx' },
    profile: { type: 'string' },
  },
});
const chosen = new Set<string>(
  listOption('--targets', values.targets, ['direct', 'bare', 'gateway', 'nginx']),
);
const positive = (option: string, value: string) => numberOption(option, value, { positive: true });
const settings = {
  durationSeconds: positive('--duration', values.duration),
  warmupSeconds: positive('--warmup', values.warmup),
  rate: positive('--rate', values.rate),
  rateConnections: positive('--rate-connections', values['rate-connections']),
  saturationConnections: positive('--connections', values.connections),
};

const nginx = nginxBinary();
if (!nginx) {
  console.error('nginx is not installed. On Debian or Ubuntu: apt-get install nginx-light (or nginx)');
  process.exit(2);
}
stopOnExit();

const issuer = 'urn:platform:identity';
const audience = 'platform';
const { jwks, token } = await benchIssuer(issuer, audience);
const headers = { authorization: `Bearer ${token}` };
const upstream = await startUpstream(jwks);
const upstreamUrl = upstream.url;
const gateway = await startGateway(upstreamUrl, issuer, audience, values.profile);
const proxy = await startProxy(nginx, upstreamUrl);
const bare = await startBareProxy(upstreamUrl);

// Every target must answer the request 200, with the upstream's body, before any load.
const direct: Started = { url: upstreamUrl, pid: upstream.pid, diagnose: () => '' };
const expected = await (await fetch(`${upstreamUrl}${path}`, { headers })).text();
const targets = Object.fromEntries(
  Object.entries({ direct, bare, gateway, nginx: proxy }).filter(([name]) => chosen.has(name)),
) as Record<'direct' | 'bare' | 'gateway' | 'nginx', Started>;
for (const [name, target] of Object.entries(targets)) {
  const answered = await expectOk(name, `${target.url}${path}`, headers, expected, target.diagnose);
  // The limiter must run on every request through the gateway (and never refuse).
  if (name === 'gateway' && answered.get('ratelimit-limit') !== String(1e9)) {
    throw new Error(`the gateway's answer has no ratelimit-limit of 1e9: ${answered.get('ratelimit-limit')}`);
  }
}

type Target = keyof typeof targets;

/** The run, with the CPU the target's own processes spent per request during it. */
async function withCpu(target: Started, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = target.pid ? cpuMicroseconds(target.pid) : undefined;
  const result = await run();
  const after = target.pid ? cpuMicroseconds(target.pid) : undefined;
  if (before === undefined || after === undefined || result.requests === 0) return result;
  return { ...result, cpuMicrosecondsPerRequest: Math.round((after - before) / result.requests) };
}
type Mode = 'paced' | 'overallRate' | 'saturation';
const measured: Partial<Record<Target, Record<Mode, LoadResult>>> = {};
const problems: string[] = [];
for (const [name, target] of Object.entries(targets) as Array<[Target, Started]>) {
  const load = (spec: Omit<LoadSpec, 'url' | 'headers'>) =>
    runLoad({ url: `${target.url}${path}`, headers, ...spec });
  const { durationSeconds, rate, rateConnections } = settings;
  await load({ mode: 'saturation', connections: 8, durationSeconds: settings.warmupSeconds });
  const runs: Record<Mode, LoadResult> = {
    paced: await load({ mode: 'paced', connections: rateConnections, durationSeconds, rate }),
    overallRate: await load({ mode: 'overallRate', connections: rateConnections, durationSeconds, rate }),
    saturation: await withCpu(target, () =>
      load({ mode: 'saturation', connections: settings.saturationConnections, durationSeconds }),
    ),
  };
  measured[name] = runs;
  for (const [mode, run] of Object.entries(runs)) {
    if (run.non2xx || run.errors || run.timeouts) {
      problems.push(`${name} ${mode}: ${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts`);
    }
  }
  console.log(`${name}: measured`);
}

const ratio = (
  a: Record<Mode, LoadResult> | undefined,
  b: Record<Mode, LoadResult> | undefined,
  pick: (runs: Record<Mode, LoadResult>) => number,
) => {
  if (!a || !b || pick(b) <= 0) return null;
  return Math.round((pick(a) / pick(b)) * 100) / 100;
};
const against = (pick: (runs: Record<Mode, LoadResult>) => number) => ({
  gatewayToNginx: ratio(measured.gateway, measured.nginx, pick),
  gatewayToDirect: ratio(measured.gateway, measured.direct, pick),
  gatewayToBare: ratio(measured.gateway, measured.bare, pick),
  bareToNginx: ratio(measured.bare, measured.nginx, pick),
});
const ratios = {
  saturationRps: against((runs) => runs.saturation.requestsPerSecond),
  saturationP99: against((runs) => runs.saturation.latencyMs.p99),
  pacedP50: against((runs) => runs.paced.latencyMs.p50),
  pacedP99: against((runs) => runs.paced.latencyMs.p99),
  overallRateP50: against((runs) => runs.overallRate.latencyMs.p50),
  overallRateP99: against((runs) => runs.overallRate.latencyMs.p99),
  saturationCpuPerRequest: against((runs) => runs.saturation.cpuMicrosecondsPerRequest ?? 0),
};

const result = {
  benchmark: 'gateway',
  what: `GET ${path} with a bearer token, against one node:http upstream: directly, through the barest Node.js proxy (node:http + undici), through the gateway (every policy on), through nginx (plain reverse proxy); load from a process of its own`,
  settings,
  modes: {
    paced: `open loop: one request every 1/${settings.rate} s over a keep-alive pool of up to ${settings.rateConnections} connections (node:http)`,
    overallRate: `autocannon overallRate ${settings.rate} over ${settings.rateConnections} connections: each connection sends its per-second quota back to back at the start of every second, so a burst of ${settings.rate} requests a second`,
    saturation: `autocannon, ${settings.saturationConnections} connections, each sending on the previous answer`,
    latency:
      'milliseconds, every response recorded with sub-millisecond precision, exact nearest-rank percentiles',
    cpuMicrosecondsPerRequest:
      "saturation only: user+system CPU of the target's own processes (the upstream for direct) over the run, per request, from /proc",
  },
  setup: {
    gateway:
      'services/gateway/src/main.ts with --import @platform/chassis/telemetry-preload; DISCOVERY=static, LOG_LEVEL=warn, browse rate limit 1e9/1e9 per second, OTEL_TRACES_SAMPLER_ARG unset (0.1), no trace exporter',
    nginx: `${proxy.version}, worker_processes 1, access_log off, upstream keepalive 64, HTTP/1.1`,
    bare: 'bench/gateway/bare-proxy.ts: node:http server, undici Agent (64 connections, keep-alive), answer read whole and written once; no routing, policy or telemetry',
  },
  results: measured,
  ratios,
  problems,
  machine: machineDetails(),
};
const complete = Object.keys(measured).length === 4;
const file = join(root, 'bench', 'results', 'gateway.json');
if (complete) writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

const cell = (value: number, width = 7) => String(value).padStart(width);
const latencies = (run: LoadResult) =>
  `${cell(run.latencyMs.p50)}${cell(run.latencyMs.p99)}${cell(run.latencyMs.p99_9)}`;
console.log(
  `\n${''.padEnd(8)}| paced ${settings.rate}/s (ms)     | overallRate ${settings.rate}/s (ms) | saturation, ${settings.saturationConnections} connections`,
);
console.log(
  `${'target'.padEnd(8)}|${'p50'.padStart(7)}${'p99'.padStart(7)}${'p99.9'.padStart(7)} |${'p50'.padStart(7)}${'p99'.padStart(7)}${'p99.9'.padStart(7)} |${'req/s'.padStart(8)}${'p50'.padStart(7)}${'p99'.padStart(7)}${'p99.9'.padStart(7)}${'CPU us/req'.padStart(11)}`,
);
for (const [name, runs] of Object.entries(measured)) {
  console.log(
    `${name.padEnd(8)}|${latencies(runs.paced)} |${latencies(runs.overallRate)} |${cell(runs.saturation.requestsPerSecond, 8)}${latencies(runs.saturation)}${cell(runs.saturation.cpuMicrosecondsPerRequest ?? Number.NaN, 11)}`,
  );
}
console.log('\nratios       gateway/nginx gateway/direct gateway/bare bare/nginx');
for (const [name, pair] of Object.entries(ratios)) {
  const columns = [pair.gatewayToNginx, pair.gatewayToDirect, pair.gatewayToBare, pair.bareToNginx];
  console.log(`  ${name.padEnd(24)}${columns.map((value) => String(value).padStart(13)).join('')}`);
}
for (const problem of problems) console.error(`!! ${problem}`);
console.log(complete ? `\nwritten to ${file}` : '\nnot written: only some targets ran');
await stopAllAndWait();
if (values.profile) console.log(`the gateway's CPU profile is in ${values.profile}`);
process.exit(problems.length ? 1 : 0);
