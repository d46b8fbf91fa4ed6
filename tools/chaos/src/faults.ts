// Real faults on the running platform: a SIGKILL to a service's process, found in the
// launcher's state file, and the wait until the launcher has it serving again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

interface ServiceProcess {
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
  while (Date.now() - killedAt < timeoutMs) {
    await sleep(200);
    const now = serviceProcesses(dataDir).find((p) => p.instance === victim.instance);
    if (now && now.pid !== victim.pid && (await ready(now.url)))
      return { pid: victim.pid, downMs: Date.now() - killedAt };
  }
  throw new Error(`${service} was not serving again ${timeoutMs} ms after kill -9 (pid ${victim.pid})`);
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
