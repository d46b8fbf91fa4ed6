// How many instances of each service the launcher starts: `--scale catalog=3,identity=2`
// on the command line, or `"scale": { "catalog": 3 }` in a config file (`--config
// platform.json`, or PLATFORM_CONFIG). The command line wins over the file. The same
// bounds hold when the console scales a service up or down while the platform runs.
import { readFileSync } from 'node:fs';

export type Scale = Record<string, number>;

/** Services that cannot run as several instances here, and why. */
const SINGLETONS: Record<string, string> = {
  gateway: 'it is the one entry point on GATEWAY_PORT',
  registry: 'it keeps the registrations in memory (one registry per platform)',
  console: "it keeps the operators' sessions in memory and is the one console on CONSOLE_PORT",
};
const MAX_INSTANCES = 9;

/** What the console shows of the rules (platform.json): the services it offers no scaling for, and why. */
export const SCALING_RULES = { singletons: SINGLETONS };

export class ScaleError extends Error {}

/** `catalog=3,identity=2` as a scale, checked against the services that exist. */
export function parseScale(text: string, known: string[]): Scale {
  const scale: Scale = {};
  for (const part of text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(part);
    if (!match?.[1] || !match[2]) throw new ScaleError(`--scale: "${part}" is not service=count`);
    scale[match[1]] = Number(match[2]);
  }
  return checkScale(scale, known);
}

export function checkScale(scale: Scale, known: string[]): Scale {
  for (const [service, count] of Object.entries(scale)) {
    if (!known.includes(service)) {
      throw new ScaleError(`scale: no service named "${service}" (services: ${known.join(', ')})`);
    }
    if (!Number.isInteger(count) || count < 1 || count > MAX_INSTANCES) {
      throw new ScaleError(`scale: ${service} must have 1 to ${MAX_INSTANCES} instances, not ${count}`);
    }
    const why = SINGLETONS[service];
    if (why && count !== 1) throw new ScaleError(`scale: ${service} runs as one instance: ${why}`);
  }
  return scale;
}

/** A service scaled while the platform runs: one instance more (+1) or fewer (-1). */
export interface ScaleChange {
  service: string;
  change: 1 | -1;
  /** How many instances of it run now. */
  running: number;
  /** Another change of the same service has not finished yet. */
  inProgress: boolean;
}

/** Why `change` cannot be made, or undefined if it can. */
export function refusalOf(change: ScaleChange, known: string[]): string | undefined {
  const { service, running } = change;
  if (!known.includes(service)) return `no service named "${service}"`;
  const why = SINGLETONS[service];
  if (why) return `${service} runs as one instance: ${why}`;
  if (change.inProgress) return `${service} is being scaled already; wait until that is done`;
  const wanted = running + change.change;
  if (wanted < 1) return `${service} cannot run fewer than 1 instance`;
  if (wanted > MAX_INSTANCES) return `${service} runs at most ${MAX_INSTANCES} instances`;
  return undefined;
}

/** The scale from a config file (`{ "scale": { "catalog": 3 } }`) laid under the command line's. */
export function scaleFrom(
  given: { scale?: string | undefined; config?: string | undefined },
  env: NodeJS.ProcessEnv,
  known: string[],
): Scale {
  const configPath = given.config ?? env.PLATFORM_CONFIG;
  let fromFile: Scale = {};
  if (configPath) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (error) {
      throw new ScaleError(`config file ${configPath}: ${(error as Error).message}`);
    }
    const scale = (parsed as { scale?: unknown }).scale ?? {};
    if (typeof scale !== 'object' || scale === null || Array.isArray(scale)) {
      throw new ScaleError(`config file ${configPath}: "scale" must map service names to counts`);
    }
    fromFile = checkScale(scale as Scale, known);
  }
  return { ...fromFile, ...(given.scale ? parseScale(given.scale, known) : {}) };
}
