// Which version each instance announces (SERVICE_VERSION): its package's version, or
// 1.0.0, unless `--version catalog=2.0.0` is given: then every catalog instance after
// the first runs as 2.0.0 (and the catalog gets at least two), so a release can be
// tried on one laptop: `npm start -- --scale catalog=2 --version catalog=2.0.0`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Scale, ScaleError } from './scale.ts';
import type { ServiceDefinition } from './services.ts';

export type Versions = Record<string, string>;

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** `catalog=2.0.0,cart=1.1.0` as versions, checked against the services that exist. */
export function parseVersions(text: string, known: string[]): Versions {
  const versions: Versions = {};
  for (const part of text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const [service = '', version = ''] = part.split('=', 2);
    if (!known.includes(service)) {
      throw new ScaleError(`--version: no service named "${service}" (services: ${known.join(', ')})`);
    }
    if (!VERSION.test(version)) throw new ScaleError(`--version: "${part}" is not service=version`);
    versions[service] = version;
  }
  return versions;
}

/** `--version`'s versions, if given. */
export function versionsFrom(given: { version?: string | undefined }, known: string[]): Versions {
  return given.version ? parseVersions(given.version, known) : {};
}

/** The scale with at least two instances of each service given a version: one keeps the default. */
export function scaledForVersions(scale: Scale, versions: Versions): Scale {
  const scaled = { ...scale };
  for (const service of Object.keys(versions)) scaled[service] = Math.max(scaled[service] ?? 1, 2);
  return scaled;
}

/** The version in the service's package.json, or 1.0.0. */
export function packageVersion(root: string, definition: ServiceDefinition): string {
  const file = join(root, dirname(dirname(definition.entry)), 'package.json');
  if (!existsSync(file)) return '1.0.0';
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  return typeof version === 'string' && VERSION.test(version) ? version : '1.0.0';
}

/** What instance `id` of `definition` announces: the first its package's version, the others `versions`' if given. */
export function versionOf(
  id: string,
  definition: ServiceDefinition,
  versions: Versions,
  root: string,
): string {
  const asked = versions[definition.name];
  return asked && id !== `${definition.name}-1` ? asked : packageVersion(root, definition);
}
