// How the operator CLIs reach the running platform's gateway as the administrator.
// The gateway: --gateway URL, else the running platform's (PLATFORM_DATA_DIR, default
// .data). The token: ADMIN_TOKEN, else a login as ADMIN_EMAIL (admin@platform.local)
// with ADMIN_PASSWORD or the password the launcher generated.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** `fetch`, but an unreachable gateway (or service) ends the CLI with a sentence, not a stack trace. */
async function reach(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    return fail(`cannot reach ${new URL(url).origin} (${why}): is the platform running (npm start)?`, 1);
  }
}

const dataDir = process.env.PLATFORM_DATA_DIR ?? join(import.meta.dirname, '..', '.data');

function readJson<T>(file: string, missing: string): T {
  if (!existsSync(file)) fail(missing, 1);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The running platform's state file (what the launcher wrote), or the CLI ends saying what to do instead. */
export function platformState(instead: string): {
  gateway: string;
  services: Array<{ name: string; url: string }>;
} {
  const stateFile = join(dataDir, 'platform.json');
  return readJson(stateFile, `no running platform (${stateFile} is missing): start it, or ${instead}`);
}

export function gatewayUrl(given: string | undefined): string {
  if (given) return given.replace(/\/$/, '');
  return platformState('pass --gateway URL').gateway;
}

export async function adminToken(gateway: string): Promise<string> {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const password =
    process.env.ADMIN_PASSWORD ??
    readJson<Record<string, string>>(
      join(dataDir, 'secrets.json'),
      'no ADMIN_TOKEN or ADMIN_PASSWORD, and no secrets.json of a platform to read it from',
    )['admin-password'];
  const response = await reach(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: process.env.ADMIN_EMAIL ?? 'admin@platform.local', password }),
  });
  if (!response.ok) fail(`administrator login refused: ${response.status}`, 1);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/**
 * Calls the gateway (or a service) as the administrator, with no token where none is
 * needed; a problem answered ends the CLI with its title and detail.
 */
export async function call(
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
): Promise<unknown> {
  const response = await reach(url, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let answer: { detail?: string; title?: string };
  try {
    answer = text ? JSON.parse(text) : {};
  } catch {
    // Not the platform's answer (a proxy's error page, say): its start says whose.
    return fail(`${response.status} (not JSON): ${text.slice(0, 200).replace(/\s+/g, ' ')}`, 1);
  }
  if (!response.ok) fail(`${response.status} ${answer.title ?? ''}: ${answer.detail ?? ''}`, 1);
  return answer;
}
