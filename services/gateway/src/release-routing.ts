// Which upstream and version one proxied request goes to: the route table's strangler
// share first (another upstream or version for a share of a path's callers), then the
// upstream's release, or the version an administrator forces. Per request: a map
// lookup, and a hash only for services a release routes.
import type { ServiceClient } from '@platform/chassis';
import type { FastifyRequest } from 'fastify';
import { clientAddressOf } from './client-address.ts';
import { routeOf, type VersionRoute, versionFor } from './domain/release.ts';
import type { Releases } from './releases.ts';
import type { RouteSpec, Upstream } from './routes.ts';

/** Sent by a tester to be served by one version; echoed with the version that answered. */
export const VERSION_HEADER = 'x-platform-version';

export interface Target {
  upstream: Upstream;
  /** The version the call asks for (the client falls back to any instance if none runs it). */
  version?: string;
  /** Forced by an administrator's header: not part of the canary's figures, not from the cache. */
  forced: boolean;
}

// The cart's guest cookie and the shop's session: a guest stays on one version from page to page.
const VISITOR_COOKIE = /(?:^|;\s*)(?:guest_id|shop_session)=([^;]{1,200})/;

/** Who the caller is, for a sticky choice: the verified user, else a guest or session id, else the address (a shopper's, named by the storefront). */
export function callerKey(request: FastifyRequest): string {
  if (request.principal) return `u:${request.principal.subject}`;
  const guest = request.headers['x-guest-id'];
  if (typeof guest === 'string' && guest.length > 0) return `g:${guest.slice(0, 200)}`;
  const visitor = request.headers.cookie ? VISITOR_COOKIE.exec(request.headers.cookie) : null;
  if (visitor?.[1]) return `c:${visitor[1]}`;
  return `ip:${clientAddressOf(request)}`;
}

/**
 * The version an administrator asks for. Only theirs: a version kept for rollback may
 * be an old one with a flaw fixed since, which no one else should be able to pick, and
 * a tester's traffic must stay out of the figures that judge a canary.
 */
function forcedVersion(request: FastifyRequest): string | undefined {
  const asked = request.headers[VERSION_HEADER];
  if (typeof asked !== 'string' || !request.principal?.roles.includes('admin')) return undefined;
  return /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(asked) ? asked : undefined;
}

const stranglerRoutes = new WeakMap<RouteSpec, VersionRoute>();

/** The route's strangler share as a version table: 'moved' for the share sent elsewhere. */
function stranglerRoute(route: RouteSpec): VersionRoute | undefined {
  const share = route.strangler;
  if (!share) return undefined;
  let table = stranglerRoutes.get(route);
  if (!table) {
    table = routeOf(`strangler:${route.prefix}`, [
      { version: 'moved', percent: share.percent },
      { version: 'kept', percent: 100 - share.percent },
    ]);
    stranglerRoutes.set(route, table);
  }
  return table;
}

/** Where `request`, matched to `route`, is sent. */
export function targetOf(releases: Releases, route: RouteSpec, request: FastifyRequest): Target {
  let upstream = route.upstream;
  let version: string | undefined;
  const strangler = stranglerRoute(route);
  if (strangler && route.strangler && versionFor(strangler, callerKey(request)) === 'moved') {
    upstream = route.strangler.upstream;
    version = route.strangler.version;
  }
  const forced = forcedVersion(request);
  if (forced) return { upstream, version: forced, forced: true };
  const release = version === undefined ? releases.routeOf(upstream) : undefined;
  if (release) version = versionFor(release, callerKey(request));
  return { upstream, forced: false, ...(version === undefined ? {} : { version }) };
}

/** The version of `upstream` the caller's release gives, if it is under one. */
export function releaseVersion(
  releases: Releases,
  upstream: string,
  request: FastifyRequest,
): string | undefined {
  const release = releases.routeOf(upstream);
  return release ? versionFor(release, callerKey(request)) : undefined;
}

/**
 * The upstreams' clients as one request's compositions (the storefront's pages, order
 * details) use them: a call to an upstream under a release asks for the version the
 * caller's release gives, the one the proxy gives them, so a shopper on the canary sees
 * it in composed pages too. Upstreams without a release keep their client as it is.
 */
export function clientsFor<U extends string>(
  releases: Releases,
  clients: Record<U, ServiceClient>,
  request: FastifyRequest,
): Record<U, ServiceClient> {
  let scoped: Record<U, ServiceClient> | undefined;
  for (const upstream of Object.keys(clients) as U[]) {
    const version = releaseVersion(releases, upstream, request);
    if (version === undefined) continue;
    scoped ??= { ...clients };
    const client = clients[upstream];
    scoped[upstream] = {
      ...client,
      request: (call) => client.request({ ...call, version: call.version ?? version }),
    };
  }
  return scoped ?? clients;
}
