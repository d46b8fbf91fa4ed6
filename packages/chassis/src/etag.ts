import { createHash } from 'node:crypto';

/** A strong ETag for a representation: the same body always gives the same tag. */
export function etagOf(representation: unknown): string {
  const body = typeof representation === 'string' ? representation : JSON.stringify(representation);
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

function tagsOf(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
}

/** RFC 9110 If-None-Match (weak comparison): true when the client's copy is current. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return tagsOf(header).includes(etag.replace(/^W\//, ''));
}

/** RFC 9110 If-Match (strong comparison): true when the client's copy is the current one. */
export function matchesIfMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .includes(etag);
}
