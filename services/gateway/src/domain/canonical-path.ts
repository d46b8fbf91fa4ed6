// The one spelling of a path the gateway accepts. The route table is matched on the
// path as sent and the upstream receives it byte for byte, so a path that some parser
// along the way could read as another (`..`, `%2e%2e`, an encoded `/` or `\`, `;`
// parameters, `//`, NUL, overlong UTF-8) is refused instead of normalised: no two
// readings, no second guess of what the upstream's router would make of it.

/** Characters a path may carry as they are (RFC 3986 pchar and `/`), without `;`. */
const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,=:@/%]*$/;
const PERCENT = /%([0-9A-Fa-f]{2})?/g;
/** Unreserved characters: never percent-encoded in the canonical form (RFC 3986 §6.2.2.2). */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** Decoded, a segment must not hold these: they would split or escape it somewhere. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const SEGMENT_BREAKERS = /[/\\;\u0000-\u001f\u007f]/;

/** Why `path` (without its query) is not canonical, or undefined when it is. */
export function whyNotCanonical(path: string): string | undefined {
  if (!path.startsWith('/')) return 'it does not start with /';
  if (!PLAIN.test(path)) return 'it holds a character that must be percent-encoded, or a ;';
  for (const match of path.matchAll(PERCENT)) {
    const hex = match[1];
    if (!hex) return 'it holds a % that starts no percent-encoding';
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    if (UNRESERVED.test(character)) return `it percent-encodes ${character}, which needs no encoding`;
  }
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '' && index < segments.length - 1) return 'it has an empty segment (//)';
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'it percent-encodes bytes that are not UTF-8';
    }
    if (decoded === '.' || decoded === '..') return 'it has a . or .. segment';
    if (SEGMENT_BREAKERS.test(decoded)) return 'it encodes a /, \\, ; or control character';
  }
  return undefined;
}
