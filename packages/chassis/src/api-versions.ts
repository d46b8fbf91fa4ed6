// API versions chosen by media type (`Accept: application/vnd.platform.v2+json`), beside
// the ones in the URL, and the headers that tell a client its version is going away:
// `Deprecation` (RFC 9745) and `Sunset` (RFC 8594), with a link to the successor.
import { defineProblem } from './errors.ts';

export const VersionNotAcceptable = defineProblem({
  code: 'VERSION_NOT_ACCEPTABLE',
  status: 406,
  title: 'No version of this resource matches Accept',
});

/** `application/vnd.platform.v<n>+json`: the media type of version `n` of a resource. */
export const versionMediaType = (version: number) => `application/vnd.platform.v${version}+json`;

const VERSIONED = /^application\/vnd\.platform\.v(\d{1,3})\+json$/;
/** Media types that ask for JSON without naming a version: they get the default one. */
const ANY_JSON = new Set(['application/json', 'application/*', '*/*']);

/**
 * The version `accept` prefers among `versions` (highest weight; a tie goes to the newer);
 * `fallback` when it names no version of ours but takes JSON (or says nothing); undefined
 * when it takes nothing we have (answer 406).
 */
export function preferredVersion(
  accept: string | undefined,
  versions: readonly number[],
  fallback: number,
): number | undefined {
  if (!accept?.trim()) return fallback;
  let best: { version: number; weight: number } | undefined;
  for (const entry of accept.split(',')) {
    const [range = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    if (!(weight > 0)) continue;
    const named = VERSIONED.exec(range);
    const version = named ? Number(named[1]) : ANY_JSON.has(range) ? fallback : undefined;
    if (version === undefined || !versions.includes(version)) continue;
    if (!best || weight > best.weight || (weight === best.weight && version > best.version))
      best = { version, weight };
  }
  return best?.version;
}

/** The headers of an answer in a deprecated version: since when, until when, and what replaces it. */
export function deprecationHeaders(options: {
  deprecatedAt: Date;
  sunsetAt: Date;
  successor: string;
}): Record<string, string> {
  return {
    deprecation: `@${Math.floor(options.deprecatedAt.getTime() / 1000)}`,
    sunset: options.sunsetAt.toUTCString(),
    link: `<${options.successor}>; rel="successor-version"`,
  };
}
