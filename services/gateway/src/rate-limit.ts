import type { Redis } from 'ioredis';
import { type Bucket, type Decision, type RatePolicy, take } from './domain/token-bucket.ts';

export interface RateLimitStore {
  take(key: string, policy: RatePolicy): Promise<Decision>;
  close(): Promise<void>;
}

/** Buckets in this process: one gateway instance enforces its own limit. */
export function memoryRateLimitStore(maxKeys = 100_000): RateLimitStore {
  const buckets = new Map<string, Bucket>();
  return {
    async take(key, policy) {
      const result = take(buckets.get(key), policy, Date.now());
      buckets.delete(key); // re-insert: Map order becomes least recently used first
      buckets.set(key, result.bucket);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      return result.decision;
    },
    async close() {},
  };
}

// The same arithmetic as domain/token-bucket.ts, run atomically inside Redis with
// Redis's clock, so every gateway instance spends from the same bucket.
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[2])) / 1000
  tokens = math.min(capacity, tonumber(state[1]) + elapsed * rate)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

/**
 * Buckets in Redis: every gateway instance sharing it enforces one limit together.
 * While Redis cannot be reached, each instance limits on its own (in memory) rather
 * than failing requests or letting everything through.
 */
export function redisRateLimitStore(
  redis: Redis,
  onFallback: (error: unknown) => void = () => {},
): RateLimitStore {
  const fallback = memoryRateLimitStore();
  return {
    async take(key, policy) {
      try {
        return await takeFromRedis(redis, key, policy);
      } catch (error) {
        onFallback(error);
        return fallback.take(key, policy);
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function takeFromRedis(redis: Redis, key: string, policy: RatePolicy): Promise<Decision> {
  const [allowed, rawTokens] = (await redis.eval(
    TAKE_SCRIPT,
    1,
    `ratelimit:${key}`,
    policy.capacity,
    policy.refillPerSecond,
  )) as [number, string];
  const tokens = Number(rawTokens);
  const resetSeconds = Math.ceil((policy.capacity - tokens) / policy.refillPerSecond);
  if (allowed === 1)
    return { allowed: true, limit: policy.capacity, remaining: Math.floor(tokens), resetSeconds };
  return {
    allowed: false,
    limit: policy.capacity,
    remaining: 0,
    resetSeconds,
    retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / policy.refillPerSecond)),
  };
}
