// The machine's Redis for the suites that share state through it, as `.ci/run` provides one.
import { test } from 'node:test';
import { requireInfra } from '@platform/testkit';
import { Redis } from 'ioredis';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Declares `suite` when Redis answers; without it a skipped `name`, or a failure under REQUIRE_INFRA=1. */
export async function withRedis(name: string, suite: () => void): Promise<void> {
  if (await redisReachable()) return suite();
  if (requireInfra) throw new Error(`REQUIRE_INFRA=1 but no Redis answers at ${redisUrl}`);
  test(name, { skip: `no Redis at ${redisUrl}; .ci/run runs this against one` }, () => {});
}
