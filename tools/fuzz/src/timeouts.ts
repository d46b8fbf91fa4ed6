// How long a request may take: the timeout of the gateway route that serves it,
// read from the gateway's own route table, so the rule cannot drift from the code.
import { type RouteSpec, routes } from '@platform/gateway/routes';

/**
 * Added to a route's timeout: the gateway's own work before and after the upstream
 * (token check, rate limit, writing the answer). On a loaded two-core machine a
 * second is generous; anything later means the timeout did not cut the call off.
 */
export const EDGE_ALLOWANCE_MS = 1_000;

function segmentsMatch(prefix: string[], path: string[]): boolean {
  if (path.length < prefix.length) return false;
  return prefix.every((segment, index) =>
    segment.startsWith(':') ? path[index] !== '' : segment === path[index],
  );
}

/** Lexicographic: the first place two scores differ decides. */
function outranks(score: number[], other: number[]): boolean {
  const index = score.findIndex((value, i) => value !== other[i]);
  return index >= 0 && (score[index] ?? 0) > (other[index] ?? 0);
}

/**
 * The route the gateway matches `method` and `path` to, with its router's
 * preferences: the most segments matched, then the fewest parameters among them
 * (a fixed segment beats `:id`), then the route that ends exactly there.
 */
export function routeFor(method: string, path: string, table: RouteSpec[] = routes): RouteSpec | undefined {
  const wanted = (method === 'HEAD' ? 'GET' : method) as RouteSpec['methods'][number];
  const segments = (path.split('?')[0] ?? '').split('/');
  let best: { route: RouteSpec; score: number[] } | undefined;
  for (const route of table) {
    if (!route.methods.includes(wanted)) continue;
    const prefix = route.prefix.split('/');
    if (!segmentsMatch(prefix, segments)) continue;
    const fixed = prefix.filter((segment) => !segment.startsWith(':')).length;
    const score = [prefix.length, fixed, prefix.length === segments.length ? 1 : 0];
    if (!best || outranks(score, best.score)) best = { route, score };
  }
  return best?.route;
}

/** The time a request to `path` may take before its answer is late, in milliseconds. */
export function allowedMs(method: string, path: string, operationPath: string): number {
  const route = routeFor(method, path) ?? routeFor(method, operationPath.replace(/\{[^}]+\}/g, 'x'));
  // No route: the gateway answers by itself (404, 405), with no upstream to wait for.
  return (route?.timeoutMs ?? 0) + EDGE_ALLOWANCE_MS;
}
