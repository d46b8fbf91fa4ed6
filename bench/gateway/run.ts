// `npm run bench -- gateway [--duration 10] [--rate 500] [--connections 32]`: one
// upstream, measured directly, through our gateway with every policy on (JWT
// verification, rate limiting, the resilient service client, metrics, tracing at
// the default sampling), and through nginx as a plain reverse proxy; the same load
// tool and the same run for all three. Writes bench/results/gateway.json.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { freePort } from '@platform/devinfra';
import { type JWK, SignJWT } from 'jose';
import { machineDetails } from '../machine.ts';
import { type LoadResult, runLoad } from './load.ts';
import { nginxBinary, startNginx } from './nginx.ts';

const root = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    connections: { type: 'string', default: '32' },
  },
});
const duration = Number(values.duration);
const rate = Number(values.rate);
const connections = Number(values.connections);

const nginx = nginxBinary();
if (!nginx) {
  console.error('nginx is not installed: apt-get install nginx-light (Debian), then run this again');
  process.exit(2);
}

const children: Array<{ stop(): void }> = [];
const stopAll = () => {
  for (const child of children.reverse()) child.stop();
};
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

function track(child: ChildProcess) {
  children.push({ stop: () => child.kill('SIGTERM') });
  return child;
}

async function waitForOk(url: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(url, { headers }).catch(() => undefined);
    if (response?.status === 200) return;
    await response?.arrayBuffer();
    await sleep(100);
  }
  throw new Error(`${url} never answered 200`);
}

// A signing key for the bench user; the upstream publishes its public half as the JWKS.
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const kid = `bench-${randomUUID().slice(0, 8)}`;
const jwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA', use: 'sig' };
const token = await new SignJWT({ roles: ['customer'] })
  .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
  .setIssuer('urn:platform:identity')
  .setAudience('platform')
  .setSubject(randomUUID())
  .setJti(randomUUID())
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);
const headers = { authorization: `Bearer ${token}` };
const path = '/api/v1/users/me';

const upstreamPort = await freePort();
const upstream = track(
  fork(join(import.meta.dirname, 'upstream.ts'), [], {
    env: { ...process.env, PORT: String(upstreamPort), BENCH_JWKS: JSON.stringify({ keys: [jwk] }) },
  }),
);
await new Promise((resolve) => upstream.once('message', resolve));
const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;

const gatewayPort = await freePort();
track(
  spawn(
    process.execPath,
    ['--import', '@platform/chassis/telemetry-preload', join(root, 'services', 'gateway', 'src', 'main.ts')],
    {
      cwd: root,
      stdio: 'ignore',
      env: {
        ...process.env,
        SERVICE_NAME: 'gateway',
        PORT: String(gatewayPort),
        LOG_LEVEL: 'warn',
        IDENTITY_URL: upstreamUrl,
        CATALOG_URL: upstreamUrl,
        // The limiter runs on every request but never refuses one: the bench measures its cost.
        RATE_LIMIT_POLICIES: JSON.stringify({ browse: { capacity: 1e9, refillPerSecond: 1e9 } }),
      },
    },
  ),
);
const nginxPort = await freePort();
children.push(startNginx(nginx, nginxPort, upstreamPort));

const targets = {
  direct: `${upstreamUrl}${path}`,
  gateway: `http://127.0.0.1:${gatewayPort}${path}`,
  nginx: `http://127.0.0.1:${nginxPort}${path}`,
};
for (const url of Object.values(targets)) await waitForOk(url, headers);

type Target = keyof typeof targets;
const measured: Record<Target, { fixedRate: LoadResult; saturation: LoadResult }> = {} as never;
for (const [name, url] of Object.entries(targets) as Array<[Target, string]>) {
  await runLoad({ url, headers, connections: 8, durationSeconds: 2 }); // warm-up: JIT, connection pools
  const fixedRate = await runLoad({ url, headers, connections: 16, durationSeconds: duration, rate });
  const saturation = await runLoad({ url, headers, connections, durationSeconds: duration });
  measured[name] = { fixedRate, saturation };
  console.log(
    `${name.padEnd(8)} fixed ${rate}/s: p50 ${fixedRate.latencyMs.p50} ms  p99 ${fixedRate.latencyMs.p99} ms  p99.9 ${fixedRate.latencyMs.p99_9} ms | ` +
      `saturation: ${saturation.requestsPerSecond} req/s  p50 ${saturation.latencyMs.p50} ms  p99 ${saturation.latencyMs.p99} ms  p99.9 ${saturation.latencyMs.p99_9} ms` +
      `${fixedRate.non2xx + saturation.non2xx + saturation.errors ? `  (non-2xx ${fixedRate.non2xx + saturation.non2xx}, errors ${saturation.errors})` : ''}`,
  );
}

// autocannon reports whole milliseconds: a 0 ms percentile (under 1 ms) has no ratio.
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
const { direct, gateway, nginx: proxy } = measured;
const ratios = {
  saturationRps: {
    gatewayToNginx: ratio(gateway.saturation.requestsPerSecond, proxy.saturation.requestsPerSecond),
    gatewayToDirect: ratio(gateway.saturation.requestsPerSecond, direct.saturation.requestsPerSecond),
  },
  saturationP99: {
    gatewayToNginx: ratio(gateway.saturation.latencyMs.p99, proxy.saturation.latencyMs.p99),
    gatewayToDirect: ratio(gateway.saturation.latencyMs.p99, direct.saturation.latencyMs.p99),
  },
  fixedRateP50: {
    gatewayToNginx: ratio(gateway.fixedRate.latencyMs.p50, proxy.fixedRate.latencyMs.p50),
    gatewayToDirect: ratio(gateway.fixedRate.latencyMs.p50, direct.fixedRate.latencyMs.p50),
  },
  fixedRateP99: {
    gatewayToNginx: ratio(gateway.fixedRate.latencyMs.p99, proxy.fixedRate.latencyMs.p99),
    gatewayToDirect: ratio(gateway.fixedRate.latencyMs.p99, direct.fixedRate.latencyMs.p99),
  },
};
console.log('ratios', JSON.stringify(ratios));

const result = {
  benchmark: 'gateway',
  what: 'GET /api/v1/users/me with a bearer token: the upstream directly, through the gateway (every policy on), through nginx (plain reverse proxy); autocannon in its own process',
  settings: {
    durationSeconds: duration,
    fixedRate: rate,
    fixedRateConnections: 16,
    saturationConnections: connections,
  },
  results: measured,
  ratios,
  machine: machineDetails(),
};
const file = join(root, 'bench', 'results', 'gateway.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`written to ${file}`);
process.exit(0);
