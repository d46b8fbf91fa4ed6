// Operator CLI for the analytics read models, through the gateway as an administrator.
//   npm run analytics -- rebuild          drop the read models and replay the bus history
//   npm run analytics -- status           events applied, newest event, lag, last rebuild
//   npm run analytics -- <view>           funnel | revenue | delivery-time | daily | categories | top
// The gateway is found in the running platform (PLATFORM_DATA_DIR, default .data), or
// given with --gateway URL. The token: ADMIN_TOKEN, else a login as ADMIN_EMAIL
// (admin@platform.local) with ADMIN_PASSWORD or the password the launcher generated.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const VIEWS: Record<string, string> = {
  status: '/api/v1/analytics/status',
  funnel: '/api/v1/analytics/funnel',
  revenue: '/api/v1/analytics/revenue',
  'delivery-time': '/api/v1/analytics/delivery-time',
  daily: '/api/v1/analytics/sales/daily?limit=100',
  categories: '/api/v1/analytics/sales/categories?limit=100',
  top: '/api/v1/analytics/products/top?limit=20',
};
const USAGE = `usage: npm run analytics -- rebuild | ${Object.keys(VIEWS).join(' | ')} [--gateway URL]`;

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const dataDir = process.env.PLATFORM_DATA_DIR ?? join(import.meta.dirname, '..', '.data');

function readJson<T>(file: string, missing: string): T {
  if (!existsSync(file)) fail(missing, 1);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function gatewayUrl(given: string | undefined): string {
  if (given) return given.replace(/\/$/, '');
  const stateFile = join(dataDir, 'platform.json');
  const state = readJson<{ gateway: string }>(
    stateFile,
    `no running platform (${stateFile} is missing): start it, or pass --gateway URL`,
  );
  return state.gateway;
}

async function adminToken(gateway: string): Promise<string> {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const password =
    process.env.ADMIN_PASSWORD ??
    readJson<Record<string, string>>(
      join(dataDir, 'secrets.json'),
      'no ADMIN_TOKEN or ADMIN_PASSWORD, and no secrets.json of a platform to read it from',
    )['admin-password'];
  const response = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: process.env.ADMIN_EMAIL ?? 'admin@platform.local', password }),
  });
  if (!response.ok) fail(`administrator login refused: ${response.status}`, 1);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function call(method: string, url: string, token: string): Promise<unknown> {
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { detail?: string; title?: string };
  if (!response.ok) fail(`${response.status} ${body.title ?? ''}: ${body.detail ?? ''}`, 1);
  return body;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { gateway: { type: 'string' } },
});
const [command] = positionals;
if (!command || (command !== 'rebuild' && !VIEWS[command])) fail(USAGE, 2);
const gateway = gatewayUrl(values.gateway);
const token = await adminToken(gateway);
if (command === 'rebuild') {
  const report = (await call('POST', `${gateway}/api/v1/analytics/rebuild`, token)) as {
    events: number;
    applied: number;
    duplicates: number;
    orders: number;
    tookMs: number;
  };
  process.stdout.write(
    `rebuilt from ${report.events} events (${report.applied} applied, ${report.duplicates} duplicates): ` +
      `${report.orders} orders in ${report.tookMs} ms\n`,
  );
} else {
  process.stdout.write(
    `${JSON.stringify(await call('GET', `${gateway}${VIEWS[command]}`, token), null, 2)}\n`,
  );
}
