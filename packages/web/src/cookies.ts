// Cookies of a server-rendered front end: an opaque id the browser keeps and sends back,
// never readable by script (HttpOnly), sent on same-site requests only (SameSite), and
// only over TLS when the page was reached over TLS (Secure).
import type { FastifyRequest } from 'fastify';

/** The value of cookie `name` in the request, if it is there. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  /** 0 removes the cookie. */
  maxAgeSeconds: number;
  /** Strict: sent only from the site's own pages; Lax: also on a top-level link from elsewhere. */
  sameSite: 'Strict' | 'Lax';
}

/**
 * The Set-Cookie header value of an HttpOnly cookie for the whole site, Secure when the
 * request came over TLS (as the front end sees it: behind a trusted proxy, its
 * X-Forwarded-Proto).
 */
export function cookieHeader(
  request: FastifyRequest,
  name: string,
  value: string,
  options: CookieOptions,
): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${name}=${value}; Path=/; HttpOnly; SameSite=${options.sameSite}; Max-Age=${options.maxAgeSeconds}${secure}`;
}
