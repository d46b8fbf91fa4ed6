// A state-changing request must come from the front end's own pages, so a page elsewhere
// cannot make a signed-in browser act (cross-site request forgery). Browsers say where a
// request comes from in Origin, and in Sec-Fetch-Site; a request that says neither is
// refused.
import type { FastifyRequest } from 'fastify';

/**
 * The request comes from a page of this site: its Origin names the host it was sent to
 * (behind a trusted proxy, the host the browser asked for: X-Forwarded-Host), or, where the
 * browser withholds the Origin (none, or `null`), it says `Sec-Fetch-Site: same-origin`.
 */
export function fromOwnPage(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  // No Origin, or `null` (Chromium's for a form posted under a strict referrer policy).
  if (!origin || origin === 'null') return request.headers['sec-fetch-site'] === 'same-origin';
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}
