import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** One stored answer of an upstream to a public GET. */
export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  /** Base64 of the body bytes (so Redis and memory store the same thing). */
  body: string;
  /** Epoch ms when it was stored. */
  storedAt: number;
}

/**
 * The gateway's response cache for public, cacheable GETs: an entry is fresh for
 * `freshMs` (served without asking the upstream) and kept as a fallback for
 * `staleMs` after that (served, marked stale, only when the upstream fails). Keyed by
 * upstream and URL; a write through the gateway drops every entry of its upstream.
 */
export interface ResponseCache {
  readonly freshMs: number;
  readonly staleMs: number;
  readonly maxBodyBytes: number;
  get(upstream: string, url: string): Promise<CachedResponse | undefined>;
  put(upstream: string, url: string, response: CachedResponse): Promise<void>;
  invalidate(upstream: string): Promise<void>;
  close(): Promise<void>;
}

export interface CacheTimes {
  freshMs: number;
  staleMs: number;
  /** Bodies above this are not cached. */
  maxBodyBytes: number;
}

/** In this process: each gateway instance has its own cache, bounded in bytes. */
export function memoryResponseCache(times: CacheTimes, maxBytes = 32 * 1024 * 1024): ResponseCache {
  const entries = new LRUCache<string, CachedResponse>({
    maxSize: maxBytes,
    sizeCalculation: (entry) => entry.body.length + 200,
    ttl: times.freshMs + times.staleMs,
  });
  return {
    ...times,
    async get(upstream, url) {
      return entries.get(`${upstream} ${url}`);
    },
    async put(upstream, url, response) {
      entries.set(`${upstream} ${url}`, response);
    },
    async invalidate(upstream) {
      for (const key of entries.keys()) if (key.startsWith(`${upstream} `)) entries.delete(key);
    },
    async close() {
      entries.clear();
    },
  };
}

/**
 * Shared through Redis: every gateway instance sees the same entries, and a write
 * through any of them invalidates for all. One hash per upstream, so invalidation is
 * one DEL; the hash expires when nothing was stored for the stale window. A Redis
 * outage degrades to no caching, never to a failed request.
 */
export function redisResponseCache(redis: Redis, times: CacheTimes): ResponseCache {
  const keyOf = (upstream: string) => `gateway:cache:${upstream}`;
  const expiry = Math.ceil((times.freshMs + times.staleMs) / 1000);
  return {
    ...times,
    async get(upstream, url) {
      const raw = await redis.hget(keyOf(upstream), url).catch(() => null);
      if (!raw) return undefined;
      const entry = JSON.parse(raw) as CachedResponse;
      return Date.now() - entry.storedAt > times.freshMs + times.staleMs ? undefined : entry;
    },
    async put(upstream, url, response) {
      await redis
        .multi()
        .hset(keyOf(upstream), url, JSON.stringify(response))
        .expire(keyOf(upstream), expiry)
        .exec()
        .catch(() => undefined);
    },
    async invalidate(upstream) {
      await redis.del(keyOf(upstream)).catch(() => undefined);
    },
    // The connection is the gateway's, shared with the rate limiter, which closes it.
    async close() {},
  };
}

/**
 * Headers that describe the representation, the only ones stored and replayed. Not
 * stored: anything about one request or one caller (x-correlation-id, traceparent,
 * set-cookie, rate limits, date), which a hit would otherwise hand to the next caller.
 */
const REPRESENTATION_HEADERS = [
  'content-type',
  'content-encoding',
  'content-language',
  'content-location',
  'etag',
  'last-modified',
  'cache-control',
  'expires',
  'link',
];

/**
 * An entry's key under its upstream: the URL, and during a release the version it was
 * asked of (a space never occurs in a request target), so one version's copy never
 * answers a caller of the other.
 */
export function cacheKeyOf(url: string, version: string | undefined): string {
  return version === undefined ? url : `${url} @${version}`;
}

/** The representation headers of an upstream's answer, as stored. */
export function representationHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of REPRESENTATION_HEADERS) {
    const value = headers[name];
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/**
 * Whether a shared cache may store this answer (RFC 9111 §3): not when the upstream
 * says `private`, `no-store` or `no-cache`; not when it varies by request headers (the
 * key is the URL alone) or sets a cookie (it is someone's); and for a request that
 * carried credentials, only when the upstream says it is public (§3.5).
 */
export function mayStore(
  request: Record<string, string | string[] | undefined>,
  response: Record<string, string | string[] | undefined>,
): boolean {
  const directives = String(response['cache-control'] ?? '')
    .toLowerCase()
    .split(',')
    .map((directive) => directive.trim().split('=')[0]);
  const forbidden = directives.some(
    (name) => name === 'private' || name === 'no-store' || name === 'no-cache',
  );
  if (forbidden) return false;
  if (response.vary !== undefined || response['set-cookie'] !== undefined) return false;
  if (request.authorization === undefined) return true;
  return directives.some((name) => name === 'public' || name === 's-maxage' || name === 'must-revalidate');
}

export function isFresh(cache: ResponseCache, entry: CachedResponse, now = Date.now()): boolean {
  return now - entry.storedAt < cache.freshMs;
}
