import {
  createHttpClient,
  createService,
  jwtVerifier,
  type Service,
  type Static,
  serviceOptionsFrom,
} from '@platform/chassis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Histogram } from 'prom-client';
import type { GatewayConfig } from './config.ts';
import { enforceRateLimit, stripForgeableHeaders } from './edge.ts';
import { forward } from './proxy.ts';
import { memoryRateLimitStore, redisRateLimitStore } from './rate-limit.ts';
import { routes, type Upstream } from './routes.ts';

/** Builds and starts the gateway: one Fastify route per entry of the route table. */
export async function startGateway(config: Static<typeof GatewayConfig>): Promise<Service> {
  const service = await createService({
    name: 'gateway',
    description: 'The public entry point of the platform',
    ...serviceOptionsFrom(config),
    auth: jwtVerifier({
      issuer: config.TOKEN_ISSUER,
      audience: config.TOKEN_AUDIENCE,
      jwksUrl: new URL('/.well-known/jwks.json', config.IDENTITY_URL).toString(),
    }),
  });
  const rateLimits = config.REDIS_URL
    ? redisRateLimitStore(new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: false }))
    : memoryRateLimitStore();
  service.onShutdown(() => rateLimits.close());
  const upstreams: Record<Upstream, string> = { catalog: config.CATALOG_URL, identity: config.IDENTITY_URL };
  const client = createHttpClient({ timeoutMs: 10_000 });
  service.onShutdown(() => client.close());
  const latency = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Time for an upstream to answer a proxied request',
    labelNames: ['upstream', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [service.metrics],
  });

  await service.app.register(async (proxied) => {
    // Bodies are streamed to the upstream untouched, not parsed here.
    proxied.removeAllContentTypeParsers();
    proxied.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    for (const route of routes) {
      const handler = (request: Parameters<typeof forward>[1], reply: Parameters<typeof forward>[2]) =>
        forward(client, request, reply, route, upstreams[route.upstream], latency);
      const methods = route.methods.filter((method) => method !== 'HEAD');
      const options = {
        method: methods,
        handler,
        schema: { hide: true },
        config: { access: route.access },
        // Runs after the chassis has verified the token (onRequest), so a signed-in
        // caller is limited as a user, not by address.
        preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
          stripForgeableHeaders(request);
          await enforceRateLimit(rateLimits, route.rateLimit, request, reply);
        },
      };
      proxied.route({ ...options, url: route.prefix });
      proxied.route({ ...options, url: `${route.prefix}/*` });
    }
  });
  await service.listen({ host: config.HOST, port: config.PORT });
  return service;
}
