import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { Redis } from 'ioredis';
import { GatewayConfig } from '../src/config.ts';
import { ratePolicies } from '../src/rate-policies.ts';
import { startGateway } from '../src/service.ts';
import { redisUrl, withRedis } from './redis.ts';

let upstream: Server;
let upstreamUrl: string;

before(async () => {
  upstream = createServer((_request, response) => response.end('{}'));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
});
after(() => {
  upstream.closeAllConnections();
  upstream.close();
});

async function gatewayWith(env: Record<string, string> = {}): Promise<{ service: Service; url: string }> {
  const service = await startGateway(
    loadConfig(GatewayConfig, {
      PORT: '0',
      CATALOG_URL: upstreamUrl,
      IDENTITY_URL: upstreamUrl,
      LOG_LEVEL: 'silent',
      ...env,
    }),
  );
  return { service, url: `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}` };
}

/**
 * Sends login attempts (the `auth` policy: 10 at once), alternating between the
 * gateways, each claiming a different X-Forwarded-For: the gateway is the edge and
 * must not believe it, so they all come from one caller.
 */
async function burst(urls: string[], count: number): Promise<Response[]> {
  const responses: Response[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${urls[i % urls.length]}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
      body: '{}',
    });
    await response.body?.cancel();
    responses.push(response);
  }
  return responses;
}

describe('rate limits in one gateway', () => {
  test('rate limit - past the burst a caller gets 429 with Retry-After and the RateLimit headers, whatever X-Forwarded-For claims; each refusal counted', async () => {
    const { service, url } = await gatewayWith();
    try {
      const capacity = ratePolicies.auth.capacity;
      const responses = await burst([url], capacity + 2);
      assert.deepEqual(
        responses.map((r) => r.status),
        [...Array(capacity).fill(200), 429, 429],
      );
      const refused = responses.at(-1);
      assert.equal(refused?.headers.get('ratelimit-limit'), String(capacity));
      assert.equal(refused?.headers.get('ratelimit-remaining'), '0');
      assert.ok(Number(refused?.headers.get('retry-after')) >= 1);
      assert.equal(responses[0]?.headers.get('ratelimit-remaining'), String(capacity - 1));
      // Counted for operators (the console's Resilience page reads it from the admin route).
      assert.match(
        await service.metrics.getSingleMetricAsString('gateway_rate_limited_total'),
        /gateway_rate_limited_total\{policy="auth"[^}]*\} 2/,
      );
    } finally {
      await service.shutdown('test over');
    }
  });
});

await withRedis('rate limit - shared through Redis', () => {
  describe('rate limits shared through Redis', () => {
    test('rate limit - two gateway instances sharing Redis enforce one limit together', async () => {
      const a = await gatewayWith({ REDIS_URL: redisUrl });
      const b = await gatewayWith({ REDIS_URL: redisUrl });
      try {
        // Every request comes from 127.0.0.1: clear what earlier runs left for it.
        const redis = new Redis(redisUrl);
        await redis.del('ratelimit:auth:ip:127.0.0.1');
        await redis.quit();
        const capacity = ratePolicies.auth.capacity;
        const responses = await burst([a.url, b.url], capacity + 4);
        const allowed = responses.filter((response) => response.status === 200).length;
        assert.equal(allowed, capacity, 'alternating between the two, the caller still gets one bucket');
      } finally {
        await a.service.shutdown('test over');
        await b.service.shutdown('test over');
      }
    });
  });
});
