// Gateway benchmark (issue 5): GET /api/v1/users/me with a bearer token against one
// tiny upstream, measured directly, through our gateway with every policy on (JWT
// verification at the edge, rate limit, the service client with breaker, bulkhead and
// retries, metrics, tracing at the default sampling) and through nginx as a plain
// reverse proxy. The same load runs, from a process of their own, against all three:
//   warm-up     autocannon, 8 connections, as fast as it answers (not recorded)
//   paced       open loop at --rate req/s, one request every 1/rate s
//   overallRate autocannon --overallRate: --rate req/s sent as a burst each second
//   saturation  autocannon, --connections connections, as fast as it answers
// Run: npm run bench -- gateway [--duration 10] [--rate 500] [--connections 32]
// Writes bench/results/gateway.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineDetails } from '../machine.ts';
import { type LoadResult, type LoadSpec, runLoad } from './load.ts';
import { nginxBinary } from './nginx.ts';
import {
  benchIssuer,
  expectOk,
  path,
  type Started,
  startGateway,
  startProxy,
  startUpstream,
  stopAllAndWait,
  stopOnExit,
} from './targets.ts';

const root = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    connections: { type: 'string', default: '32' },
    'rate-connections': { type: 'string', default: '16' },
    warmup: { type: 'string', default: '2' },
  },
});
const settings = {
  durationSeconds: Number(values.duration),
  warmupSeconds: Number(values.warmup),
  rate: Number(values.rate),
  rateConnections: Number(values['rate-connections']),
  saturationConnections: Number(values.connections),
};
for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, not ${value}`);
    process.exit(2);
  }
}

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
const upstreamUrl = await startUpstream(jwks);
const gateway = await startGateway(upstreamUrl, issuer, audience);
const proxy = await startProxy(nginx, upstreamUrl);

// Every target must answer the request 200, with the upstream's body, before any load.
const direct: Started = { url: upstreamUrl, diagnose: () => '' };
const expected = await (await fetch(`${upstreamUrl}${path}`, { headers })).text();
const targets = { direct, gateway, nginx: proxy };
for (const [name, target] of Object.entries(targets)) {
  const answered = await expectOk(name, `${target.url}${path}`, headers, expected, target.diagnose);
  // The limiter must run on every request through the gateway (and never refuse).
  if (name === 'gateway' && answered.get('ratelimit-limit') !== String(1e9)) {
    throw new Error(`the gateway's answer has no ratelimit-limit of 1e9: ${answered.get('ratelimit-limit')}`);
  }
}

type Target = keyof typeof targets;
type Mode = 'paced' | 'overallRate' | 'saturation';
const measured = {} as Record<Target, Record<Mode, LoadResult>>;
const problems: string[] = [];
for (const [name, target] of Object.entries(targets) as Array<[Target, Started]>) {
  const load = (spec: Omit<LoadSpec, 'url' | 'headers'>) =>
    runLoad({ url: `${target.url}${path}`, headers, ...spec });
  const { durationSeconds, rate, rateConnections } = settings;
  await load({ mode: 'saturation', connections: 8, durationSeconds: settings.warmupSeconds });
  const runs: Record<Mode, LoadResult> = {
    paced: await load({ mode: 'paced', connections: rateConnections, durationSeconds, rate }),
    overallRate: await load({ mode: 'overallRate', connections: rateConnections, durationSeconds, rate }),
    saturation: await load({
      mode: 'saturation',
      connections: settings.saturationConnections,
      durationSeconds,
    }),
  };
  measured[name] = runs;
  for (const [mode, run] of Object.entries(runs)) {
    if (run.non2xx || run.errors || run.timeouts) {
      problems.push(`${name} ${mode}: ${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts`);
    }
  }
  console.log(`${name}: measured`);
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
const against = (pick: (runs: Record<Mode, LoadResult>) => number) => ({
  gatewayToNginx: ratio(pick(measured.gateway), pick(measured.nginx)),
  gatewayToDirect: ratio(pick(measured.gateway), pick(measured.direct)),
});
const ratios = {
  saturationRps: against((runs) => runs.saturation.requestsPerSecond),
  saturationP99: against((runs) => runs.saturation.latencyMs.p99),
  pacedP50: against((runs) => runs.paced.latencyMs.p50),
  pacedP99: against((runs) => runs.paced.latencyMs.p99),
  overallRateP50: against((runs) => runs.overallRate.latencyMs.p50),
  overallRateP99: against((runs) => runs.overallRate.latencyMs.p99),
};

const result = {
  benchmark: 'gateway',
  what: `GET ${path} with a bearer token, against one node:http upstream: directly, through the gateway (every policy on), through nginx (plain reverse proxy); load from a process of its own`,
  settings,
  modes: {
    paced: `open loop: one request every 1/${settings.rate} s over a keep-alive pool of up to ${settings.rateConnections} connections (node:http)`,
    overallRate: `autocannon overallRate ${settings.rate} over ${settings.rateConnections} connections: each connection sends its per-second quota back to back at the start of every second, so a burst of ${settings.rate} requests a second`,
    saturation: `autocannon, ${settings.saturationConnections} connections, each sending on the previous answer`,
    latency:
      'milliseconds, every response recorded with sub-millisecond precision, exact nearest-rank percentiles',
  },
  setup: {
    gateway:
      'services/gateway/src/main.ts with --import @platform/chassis/telemetry-preload; DISCOVERY=static, LOG_LEVEL=warn, browse rate limit 1e9/1e9 per second, OTEL_TRACES_SAMPLER_ARG unset (0.1), no trace exporter',
    nginx: `${proxy.version}, worker_processes 1, access_log off, upstream keepalive 64, HTTP/1.1`,
  },
  results: measured,
  ratios,
  problems,
  machine: machineDetails(),
};
const file = join(root, 'bench', 'results', 'gateway.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

const cell = (value: number, width = 7) => String(value).padStart(width);
const latencies = (run: LoadResult) =>
  `${cell(run.latencyMs.p50)}${cell(run.latencyMs.p99)}${cell(run.latencyMs.p99_9)}`;
console.log(
  `\n${''.padEnd(8)}| paced ${settings.rate}/s (ms)     | overallRate ${settings.rate}/s (ms) | saturation, ${settings.saturationConnections} connections`,
);
console.log(
  `${'target'.padEnd(8)}|${'p50'.padStart(7)}${'p99'.padStart(7)}${'p99.9'.padStart(7)} |${'p50'.padStart(7)}${'p99'.padStart(7)}${'p99.9'.padStart(7)} |${'req/s'.padStart(8)}${'p50'.padStart(7)}${'p99'.padStart(7)}${'p99.9'.padStart(7)}`,
);
for (const [name, runs] of Object.entries(measured)) {
  console.log(
    `${name.padEnd(8)}|${latencies(runs.paced)} |${latencies(runs.overallRate)} |${cell(runs.saturation.requestsPerSecond, 8)}${latencies(runs.saturation)}`,
  );
}
console.log('\nratios (gateway/nginx, gateway/direct):');
for (const [name, { gatewayToNginx, gatewayToDirect }] of Object.entries(ratios)) {
  console.log(
    `  ${name.padEnd(15)} ${String(gatewayToNginx).padStart(6)} ${String(gatewayToDirect).padStart(7)}`,
  );
}
for (const problem of problems) console.error(`!! ${problem}`);
console.log(`\nwritten to ${file}`);
await stopAllAndWait();
process.exit(problems.length ? 1 : 0);
