// The gateway's route table: every public path, in one place. A path that is not
// here is not reachable from outside, whatever the services behind expose.
import { type Access, ConfigError, Type } from '@platform/chassis';
import Value from 'typebox/value';
import type { RatePolicy } from './domain/token-bucket.ts';

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
] as const;
export type Upstream = (typeof UPSTREAMS)[number];
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Per caller (the user, or the address when anonymous), per policy. */
export const ratePolicies = {
  /** Browsing: bursts of 120, 20 a second sustained. */
  browse: { capacity: 120, refillPerSecond: 20 },
  /** Account actions: 10 at once, then one every 6 s, against password guessing. */
  auth: { capacity: 10, refillPerSecond: 1 / 6 },
  /** Changes: 30 at once, 2 a second sustained. */
  write: { capacity: 30, refillPerSecond: 2 },
} satisfies Record<string, RatePolicy>;

export type RatePolicyName = keyof typeof ratePolicies;

const RatePolicyOverrides = Type.Partial(
  Type.Record(
    Type.Union(Object.keys(ratePolicies).map((name) => Type.Literal(name))),
    Type.Object({
      capacity: Type.Number({ exclusiveMinimum: 0 }),
      refillPerSecond: Type.Number({ exclusiveMinimum: 0 }),
    }),
  ),
);

/** The built-in policies with those of `RATE_LIMIT_POLICIES` (JSON) laid over them. */
export function ratePoliciesWith(overrides: string | undefined): typeof ratePolicies {
  if (!overrides) return ratePolicies;
  let parsed: unknown;
  try {
    parsed = JSON.parse(overrides);
  } catch {
    throw new ConfigError('invalid configuration: RATE_LIMIT_POLICIES is not JSON');
  }
  if (!Value.Check(RatePolicyOverrides, parsed)) {
    throw new ConfigError(
      `invalid configuration: RATE_LIMIT_POLICIES must map ${Object.keys(ratePolicies).join('/')} to { capacity, refillPerSecond }`,
    );
  }
  return { ...ratePolicies, ...(parsed as Partial<typeof ratePolicies>) };
}

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
}

const READ: HttpMethod[] = ['GET', 'HEAD'];
const WRITE: HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

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
];
