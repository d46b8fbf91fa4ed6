// Real faults on the running platform: a SIGKILL to a service's process, found in the
// launcher's state file, and the wait until the launcher has it serving again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface ServiceProcess {
  name: string;
  instance: string;
  pid: number;
  url: string;
}

export function serviceProcesses(dataDir: string): ServiceProcess[] {
  const state = JSON.parse(readFileSync(join(dataDir, 'platform.json'), 'utf8')) as {
    services: ServiceProcess[];
  };
  return state.services;
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

/**
 * `kill -9` of the first instance of `service`; resolves once the launcher has
 * restarted it (a new pid in its state file) and the new process answers ready, with
 * how long it was gone. Rejects if it is not back within `timeoutMs`.
 */
export async function killService(
  dataDir: string,
  service: string,
  timeoutMs = 60_000,
): Promise<{ pid: number; downMs: number }> {
  const victim = serviceProcesses(dataDir).find((process) => process.name === service);
  if (!victim) throw new Error(`no ${service} process in ${dataDir}/platform.json`);
  const killedAt = Date.now();
  process.kill(victim.pid, 'SIGKILL');
  return { pid: victim.pid, downMs: await backAfterKill(dataDir, victim, killedAt, timeoutMs) };
}

/** How long after `killedAt` the launcher had `victim`'s instance serving again under a new pid. */
export async function backAfterKill(
  dataDir: string,
  victim: ServiceProcess,
  killedAt: number,
  timeoutMs = 60_000,
): Promise<number> {
  while (Date.now() - killedAt < timeoutMs) {
    await sleep(200);
    const now = serviceProcesses(dataDir).find((p) => p.instance === victim.instance);
    if (now && now.pid !== victim.pid && (await ready(now.url))) return Date.now() - killedAt;
  }
  throw new Error(
    `${victim.instance} was not serving again ${timeoutMs} ms after kill -9 (pid ${victim.pid})`,
  );
}

/** Waits until every service process answers ready; the services still not ready after `timeoutMs`. */
export async function allReady(dataDir: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      serviceProcesses(dataDir).map(async (service) => ({ service, ready: await ready(service.url) })),
    );
    const waiting = states.filter((state) => !state.ready).map((state) => state.service.instance);
    if (waiting.length === 0 || Date.now() > deadline) return waiting;
    await sleep(250);
  }
}

/**
 * A superuser's connection to `database` of the embedded server, for a scenario's own
 * evidence (a service's outbox against the bus): the harness's eyes, not a service's.
 */
export async function withAdminConnection<T>(
  dataDir: string,
  database: string,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const url = new URL(adminUrl(dataDir));
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The embedded server's admin connection, from the launcher's state and secrets files. */
function adminUrl(dataDir: string): string {
  const state = JSON.parse(readFileSync(join(dataDir, 'platform.json'), 'utf8')) as {
    database: { description?: string };
  };
  const port = /127\.0\.0\.1:(\d+)$/.exec(state.database.description ?? '')?.[1];
  if (!port) throw new Error(`not an embedded PostgreSQL: ${state.database.description}`);
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  return `postgres://postgres:${encodeURIComponent(secrets['postgres-admin'] ?? '')}@127.0.0.1:${port}/postgres`;
}

/**
 * Makes `database` unreachable for `seconds`: new connections refused, every open one
 * cut; then open again. What every service sees when its bus goes away.
 */
export async function cutDatabase(dataDir: string, database: string, seconds: number): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl(dataDir) });
  await admin.connect();
  try {
    const name = admin.escapeIdentifier(database);
    await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
    try {
      const deadline = Date.now() + seconds * 1000;
      // Cut whatever connects meanwhile (a connection already half open) until the end.
      while (Date.now() < deadline) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          database,
        ]);
        await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
      }
    } finally {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
    }
  } finally {
    await admin.end();
  }
}
