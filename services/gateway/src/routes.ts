// The gateway's route table: every public path, in one place: the paths forwarded to
// a service, and those the gateway answers itself. A path that is not here is not
// reachable from outside, whatever the services behind (or the chassis, or a plugin)
// register: `exposure.ts` refuses it, and the API document lists what is here.
import type { Access } from '@platform/chassis';
import type { RatePolicyName } from './rate-policies.ts';

export const UPSTREAMS = [
  'catalog',
  'identity',
  'cart',
  'inventory',
  'order',
  'payment',
  'shipping',
  'notification',
  'analytics',
  'storefront',
] as const;
export type Upstream = (typeof UPSTREAMS)[number];
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A path forwarded to a service. */
export interface RouteSpec {
  /** Matches the prefix itself and everything below it. */
  prefix: string;
  methods: HttpMethod[];
  upstream: Upstream;
  /** Checked at the edge; the service checks the token again itself. */
  access: Access;
  rateLimit: RatePolicyName;
  /**
   * Whether responses may be stored by caches: true only for public data. Others go
   * out as `private, no-store`, so no shared cache keeps anyone's account.
   */
  cacheable: boolean;
  /** Time the upstream has to start answering, in milliseconds. */
  timeoutMs: number;
  /**
   * The upstream's own Cache-Control reaches the browser (the shop: its pages say
   * `no-store`, its versioned assets `immutable`); with none, `private, no-store` as for
   * any route that is not cacheable. The gateway's cache stores none of them either way.
   */
  upstreamCacheControl?: true;
  /**
   * Strangler fig: this share of the route's callers (in percent, by the same sticky
   * hash as releases) is sent to another upstream, or another version of one, instead
   * (release-routing.ts; docs/patterns.md has a worked example).
   */
  strangler?: { upstream: Upstream; version?: string; percent: number };
}

/** Fastify's patterns for a route: its prefix and everything below it (the root alone for `/`). */
export function patternsOf(route: RouteSpec): string[] {
  return route.prefix === '/' ? ['/'] : [route.prefix, `${route.prefix}/*`];
}

const READ: HttpMethod[] = ['GET', 'HEAD'];
const WRITE: HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The shop's pages and forms (apps/storefront, decision 029), each prefix listed: not a
 * catch-all, so the storefront's own /metrics or /openapi.json stay off the edge and an
 * unknown /api path is still the gateway's 404 or 405. The storefront checks each
 * shopper's session itself; signing in and up take the auth limit per browser address.
 */
function shop(
  prefix: string,
  methods: HttpMethod[],
  rateLimit: RatePolicyName,
  timeoutMs = 15_000,
): RouteSpec {
  return {
    prefix,
    methods,
    upstream: 'storefront',
    access: 'public',
    rateLimit,
    cacheable: false,
    timeoutMs,
    upstreamCacheControl: true,
  };
}

const SHOP_ROUTES: RouteSpec[] = [
  shop('/', READ, 'browse'),
  shop('/assets', READ, 'browse'),
  shop('/c', READ, 'browse'),
  shop('/p', READ, 'browse'),
  shop('/search', READ, 'browse'),
  shop('/cart', [...READ, 'POST'], 'browse'),
  // Placing an order waits for the platform to price it (the order route's 15 s) and more.
  shop('/checkout', READ, 'browse'),
  shop('/checkout', ['POST'], 'write', 20_000),
  // An order's live page is a stream: the timeout is the longest silence (the storefront beats every 15 s).
  shop('/orders', READ, 'browse', 60_000),
  shop('/orders', ['POST'], 'write'),
  shop('/notifications', READ, 'browse'),
  shop('/account', [...READ, 'POST'], 'browse'),
  shop('/signin', READ, 'browse'),
  shop('/signin', ['POST'], 'auth'),
  shop('/register', READ, 'browse'),
  shop('/register', ['POST'], 'auth'),
  shop('/signout', ['POST'], 'browse'),
];

export const routes: RouteSpec[] = [
  {
    prefix: '/api/v1/products',
    methods: READ,
    upstream: 'catalog',
    access: 'public',
    rateLimit: 'browse',
    cacheable: true,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/products',
    methods: WRITE,
    upstream: 'catalog',
    access: 'admin',
    rateLimit: 'write',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/categories',
    methods: READ,
    upstream: 'catalog',
    access: 'public',
    rateLimit: 'browse',
    cacheable: true,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/auth',
    methods: ['POST'],
    upstream: 'identity',
    access: 'public',
    rateLimit: 'auth',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/users',
    methods: READ,
    upstream: 'identity',
    access: 'user',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/users',
    methods: WRITE,
    upstream: 'identity',
    access: 'user',
    rateLimit: 'write',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v2/users',
    methods: READ,
    upstream: 'identity',
    access: 'user',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    // Guests have carts too: the cart service tells them apart by a cookie.
    prefix: '/api/v1/cart',
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    upstream: 'cart',
    access: 'public',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/inventory',
    methods: READ,
    upstream: 'inventory',
    access: 'public',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/inventory',
    methods: WRITE,
    upstream: 'inventory',
    access: 'admin',
    rateLimit: 'write',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    // Live order status (server-sent events): the stream stays open, so the timeout is
    // the longest silence allowed between events (the order service beats every 15 s).
    prefix: '/api/v1/orders/:id/events',
    methods: ['GET'],
    upstream: 'order',
    access: 'user',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 60_000,
  },
  {
    prefix: '/api/v1/orders',
    methods: READ,
    upstream: 'order',
    access: 'user',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    // Placing an order prices it against catalog, shipping and payment first.
    prefix: '/api/v1/orders',
    methods: ['POST'],
    upstream: 'order',
    access: 'user',
    rateLimit: 'write',
    cacheable: false,
    timeoutMs: 15_000,
  },
  {
    prefix: '/api/v1/payments',
    methods: READ,
    upstream: 'payment',
    access: 'user',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/payments',
    methods: ['POST'],
    upstream: 'payment',
    access: 'admin',
    rateLimit: 'write',
    cacheable: false,
    timeoutMs: 10_000,
  },
  {
    prefix: '/api/v1/shipments',
    methods: READ,
    upstream: 'shipping',
    access: 'user',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/shipping/quotes',
    methods: ['POST'],
    upstream: 'shipping',
    access: 'public',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    prefix: '/api/v1/notifications',
    methods: READ,
    upstream: 'notification',
    access: 'user',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    // Operators' views: every delivery with its attempts and errors.
    prefix: '/api/v1/admin/notifications',
    methods: READ,
    upstream: 'notification',
    access: 'admin',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    // The embedded SMTP sink's mail, read by the notification service from the launcher.
    prefix: '/api/v1/admin/mailbox',
    methods: READ,
    upstream: 'notification',
    access: 'admin',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 5_000,
  },
  {
    // Operators' reports: the read models built from events (CQRS).
    prefix: '/api/v1/analytics',
    methods: READ,
    upstream: 'analytics',
    access: 'admin',
    rateLimit: 'browse',
    cacheable: false,
    timeoutMs: 10_000,
  },
  {
    // Drops the read models and replays the bus history: as long as the history is.
    prefix: '/api/v1/analytics/rebuild',
    methods: ['POST'],
    upstream: 'analytics',
    access: 'admin',
    rateLimit: 'write',
    cacheable: false,
    timeoutMs: 120_000,
  },
  {
    prefix: '/.well-known/jwks.json',
    methods: READ,
    upstream: 'identity',
    access: 'public',
    rateLimit: 'browse',
    cacheable: true,
    timeoutMs: 5_000,
  },
  ...SHOP_ROUTES,
];

/** A path the gateway answers itself; its access and rate limit are applied from here. */
export interface GatewayRouteSpec {
  /** Fastify's pattern (`:name` is one segment), matched as a whole. */
  path: string;
  methods: HttpMethod[];
  access: Access;
  /** None for health probes: a load balancer must always get its answer. */
  rateLimit?: RatePolicyName;
  /** In the public API document (/api/docs/openapi.json). */
  documented: boolean;
}

const own = (
  path: string,
  methods: HttpMethod[],
  access: Access,
  rateLimit: RatePolicyName | undefined,
  documented: boolean,
): GatewayRouteSpec => ({ path, methods, access, ...(rateLimit ? { rateLimit } : {}), documented });

export const gatewayRoutes: GatewayRouteSpec[] = [
  // The gateway's own liveness and readiness (the chassis's). Its metrics are not here:
  // they are on the management listener (MANAGEMENT_PORT), which the edge does not serve.
  own('/healthz', ['GET'], 'public', undefined, false),
  own('/readyz', ['GET'], 'public', undefined, false),
  // API composition: an order with its payment and shipment (details.ts).
  own('/api/v1/orders/:id/details', ['GET'], 'user', 'browse', true),
  // The shop's pages, each in one call (storefront.ts): a guest browses; a token, when
  // sent, adds the shopper's cart to the home page.
  own('/api/v1/storefront/home', ['GET'], 'public', 'browse', true),
  own('/api/v1/storefront/products/:id', ['GET'], 'public', 'browse', true),
  // The API document and Swagger UI (docs.ts).
  own('/api/docs', ['GET'], 'public', 'browse', false),
  own('/api/docs/openapi.json', ['GET'], 'public', 'browse', false),
  own('/api/docs/assets/init.js', ['GET'], 'public', 'browse', false),
  own('/api/docs/assets/:file', ['GET'], 'public', 'browse', false),
  // Operators' views of discovery and resilience, and fault injection (admin.ts).
  own('/api/v1/admin/resilience', ['GET'], 'admin', 'browse', true),
  own('/api/v1/admin/instances', ['GET'], 'admin', 'browse', true),
  own('/api/v1/admin/faults/:service', ['GET', 'PUT', 'DELETE'], 'admin', 'write', true),
  // Releases: canary, blue-green, weights by hand, rollback, and every decision (release-routes.ts).
  own('/api/v1/admin/releases', ['GET'], 'admin', 'browse', true),
  own('/api/v1/admin/releases/:service', ['GET'], 'admin', 'browse', true),
  own('/api/v1/admin/releases/:service', ['DELETE'], 'admin', 'write', true),
  own('/api/v1/admin/releases/:service/canary', ['POST'], 'admin', 'write', true),
  own('/api/v1/admin/releases/:service/blue-green', ['POST'], 'admin', 'write', true),
  own('/api/v1/admin/releases/:service/switch', ['POST'], 'admin', 'write', true),
  own('/api/v1/admin/releases/:service/rollback', ['POST'], 'admin', 'write', true),
  own('/api/v1/admin/releases/:service/weights', ['PUT'], 'admin', 'write', true),
];
