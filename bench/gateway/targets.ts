// The three things measured and their common upstream, each its own process, and
// everything needed to stop them whatever way the bench ends.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@platform/devinfra';
import { type JWK, SignJWT } from 'jose';
import { stopLoad } from './load.ts';
import { nginxVersion, startNginx } from './nginx.ts';

const root = join(import.meta.dirname, '..', '..');
export const path = '/api/v1/users/me';

const started: Array<{ stop(): unknown; exited: Promise<unknown> }> = [];
function track(child: ChildProcess, stop: () => unknown = () => child.kill('SIGTERM')): void {
  const exited = child.exitCode !== null ? Promise.resolve() : once(child, 'exit');
  started.push({ stop, exited });
}

/** Stops every process the bench started, last started first; synchronous, so it runs on exit. */
export function stopAll(): Array<Promise<unknown>> {
  stopLoad();
  return started
    .splice(0)
    .reverse()
    .map(({ stop, exited }) => {
      stop();
      return exited;
    });
}

/** Stops them and waits (up to 5 s) until they have gone. */
export async function stopAllAndWait(): Promise<void> {
  await Promise.race([Promise.all(stopAll()), sleep(5_000)]);
}

/** Whatever ends the bench (done, thrown, a signal, the parent gone) stops its processes. */
export function stopOnExit(): void {
  process.on('exit', () => stopAll());
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => process.exit(code));
  }
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(143);
  }, 500).unref();
}

/** A signing key whose public half the upstream publishes, and one user's token signed with it. */
export async function benchIssuer(issuer: string, audience: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = `bench-${randomUUID().slice(0, 8)}`;
  const jwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA', use: 'sig' };
  const token = await new SignJWT({ roles: ['customer'] })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(randomUUID())
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return { jwks: JSON.stringify({ keys: [jwk] }), token };
}

/** Forks `file` (of this folder) with `env`; resolves once it says it listens, with its pid. */
async function forkListening(file: string, env: Record<string, string>): Promise<number | undefined> {
  const child = fork(join(import.meta.dirname, file), [], { env: { ...process.env, ...env } });
  track(child);
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return child.pid;
}

/** The upstream (upstream.ts), in its own process; resolves with its base URL once it listens. */
export async function startUpstream(jwks: string): Promise<{ url: string; pid: number | undefined }> {
  const port = await freePort();
  const pid = await forkListening('upstream.ts', { PORT: String(port), BENCH_JWKS: jwks });
  return { url: `http://127.0.0.1:${port}`, pid };
}

/** The bare Node.js proxy (bare-proxy.ts) in front of `upstreamUrl`, in its own process. */
export async function startBareProxy(upstreamUrl: string): Promise<Started> {
  const port = await freePort();
  const pid = await forkListening('bare-proxy.ts', { PORT: String(port), UPSTREAM_URL: upstreamUrl });
  return { url: `http://127.0.0.1:${port}`, pid, diagnose: () => '' };
}

/** Keeps the last 16 kB a child wrote, to show when it fails. */
function tail(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-16_384);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

export interface Started {
  url: string;
  /** The process that serves (its children included), to read its CPU time. */
  pid?: number | undefined;
  /** Why it is not answering, if it has died or logged something. */
  diagnose(): string;
}

/**
 * The real gateway (services/gateway/src/main.ts) started as the launcher starts it,
 * tracing preloaded, with every upstream pointed at ours. Every policy stays on; the
 * browse rate limit (the policy of GET /api/v1/users/*) is raised so that the
 * limiter takes a token on every request but never refuses one.
 */
export async function startGateway(
  upstreamUrl: string,
  issuer: string,
  audience: string,
  profileDir?: string,
): Promise<Started> {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env };
  // The defaults of a plain run: static discovery, tracing sampled at the default
  // ratio with no exporter configured, no shared Redis store.
  for (const name of Object.keys(env)) if (/^(OTEL_|REDIS_URL$|DISCOVERY$)/.test(name)) delete env[name];
  const child = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      '--import',
      '@platform/chassis/telemetry-preload',
      join(root, 'services', 'gateway', 'src', 'main.ts'),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...env,
        SERVICE_NAME: 'gateway',
        INSTANCE_ID: 'gateway-bench',
        HOST: '127.0.0.1',
        PORT: String(port),
        // Like nginx's `access_log off`: warnings and errors only, no line per request.
        LOG_LEVEL: 'warn',
        DISCOVERY: 'static',
        IDENTITY_URL: upstreamUrl,
        CATALOG_URL: upstreamUrl,
        TOKEN_ISSUER: issuer,
        TOKEN_AUDIENCE: audience,
        RATE_LIMIT_POLICIES: JSON.stringify({ browse: { capacity: 1e9, refillPerSecond: 1e9 } }),
      },
    },
  );
  const output = tail(child);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  track(child);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    diagnose: () =>
      `${exited !== undefined ? `the gateway exited with ${exited}` : 'the gateway is running'}; its output:\n${output()}`,
  };
}

/** nginx (`binary`) as a plain reverse proxy in front of the upstream. */
export async function startProxy(
  binary: string,
  upstreamUrl: string,
): Promise<Started & { version: string }> {
  const port = await freePort();
  const nginx = startNginx(binary, port, Number(new URL(upstreamUrl).port));
  let exited: number | null | undefined;
  nginx.child.on('exit', (code) => {
    exited = code;
  });
  track(nginx.child, () => nginx.stop());
  return {
    url: `http://127.0.0.1:${port}`,
    pid: nginx.child.pid,
    version: nginxVersion(binary),
    diagnose: () =>
      `${exited !== undefined ? `nginx exited with ${exited}` : 'nginx is running'}; its error log:\n${nginx.errors()}`,
  };
}

/**
 * Waits up to 20 s for `url` to answer 200 with `expected` as its body, and throws
 * with what went wrong otherwise; returns the response's headers.
 */
export async function expectOk(
  name: string,
  url: string,
  headers: Record<string, string>,
  expected: string,
  diagnose: () => string = () => '',
): Promise<Headers> {
  let last = 'no answer';
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await fetch(url, { headers }).catch((error: Error) => error);
    if (response instanceof Error) {
      last = response.message;
    } else {
      const body = await response.text();
      if (response.status === 200 && body === expected) return response.headers;
      last = `${response.status} ${body.slice(0, 300)}`;
      if (response.status !== 502 && response.status !== 503) break;
    }
    await sleep(100);
  }
  throw new Error(
    `${name}: GET ${url} did not answer 200 with the upstream's body (last: ${last})\n${diagnose()}`,
  );
}
