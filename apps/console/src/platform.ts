// The running platform as the launcher records it (platform.json: every instance, its
// pid, URLs, start and restarts), with what each instance says of itself now
// (readiness) and what discovery knows (version). The console runs beside the
// launcher, so a kill is a real signal to a real process.
import { readFile } from 'node:fs/promises';

export interface InstanceRecord {
  name: string;
  instance: string;
  pid: number;
  url: string;
  metrics: string;
  startedAt?: string;
  restarts?: number;
}

export interface InstanceView extends InstanceRecord {
  ready: boolean;
  /** What its readiness checks said (database, bus, ...). */
  checks: Record<string, string>;
  version?: string;
}

interface PlatformState {
  gateway: string;
  services: InstanceRecord[];
  /** The launcher's scaling rules: services that run as one instance, and why. */
  scaling?: { singletons: Record<string, string> };
}

async function readiness(url: string): Promise<{ ready: boolean; checks: Record<string, string> }> {
  try {
    const answer = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
    const body = (await answer.json().catch(() => ({}))) as { checks?: Record<string, string> };
    return { ready: answer.ok, checks: body.checks ?? {} };
  } catch {
    return { ready: false, checks: { process: 'not answering' } };
  }
}

/** Versions by instance URL, as the gateway's discovery knows them (empty if it cannot say). */
async function versions(gateway: string, token: string): Promise<Map<string, string>> {
  try {
    const answer = await fetch(`${gateway}/api/v1/admin/instances`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2_000),
    });
    if (!answer.ok) return new Map();
    const body = (await answer.json()) as {
      services: Array<{ instances: Array<{ url: string; version: string }> }>;
    };
    return new Map(
      body.services.flatMap((service) => service.instances.map((i) => [i.url, i.version] as const)),
    );
  } catch {
    return new Map();
  }
}

export class PlatformView {
  readonly stateFile: string;

  constructor(stateFile: string) {
    this.stateFile = stateFile;
  }

  async state(): Promise<PlatformState> {
    return JSON.parse(await readFile(this.stateFile, 'utf8')) as PlatformState;
  }

  /** Every instance with its readiness and version, in the launcher's order. */
  async instances(token: string): Promise<InstanceView[]> {
    const state = await this.state();
    const [known, probes] = await Promise.all([
      versions(state.gateway, token),
      Promise.all(state.services.map((service) => readiness(service.url))),
    ]);
    return state.services.map((service, i) => {
      const version = known.get(service.url);
      return { ...service, ...(probes[i] ?? { ready: false, checks: {} }), ...(version ? { version } : {}) };
    });
  }

  /**
   * Signals one instance the launcher runs, which restarts it whatever way it ended
   * (supervision at work): SIGKILL is a crash (`kill -9`), SIGTERM a graceful restart (it
   * drains and leaves the registry first). Only a pid the state file names is ever
   * signalled. False if there is no such instance.
   */
  async signal(instance: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<boolean> {
    const found = (await this.state()).services.find((service) => service.instance === instance);
    if (!found) return false;
    try {
      process.kill(found.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** The first instance of each service the launcher runs, by name. */
export async function servicesOf(
  platform: PlatformView,
  skip: string[] = [],
): Promise<Array<{ name: string; url: string }>> {
  const seen = new Map<string, string>();
  for (const s of (await platform.state()).services)
    if (!seen.has(s.name) && !skip.includes(s.name)) seen.set(s.name, s.url);
  return [...seen].map(([name, url]) => ({ name, url }));
}
