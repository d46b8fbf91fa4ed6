import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  announce,
  createDiscovery,
  createHttpClient,
  createService,
  jwtVerifier,
  type Service,
  type Static,
  serviceOptionsFrom,
} from '@platform/chassis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import { registerAdminRoutes } from './admin.ts';
import { forwardedClients } from './client-address.ts';
import type { GatewayConfig } from './config.ts';
import { installCors } from './cors.ts';
import { registerOrderDetails } from './details.ts';
import { registerApiDocs } from './docs.ts';
import { enforceRateLimit, stripForgeableHeaders } from './edge.ts';
import { applyTableToOwnRoutes, guardBeforeRouting, refuseWhatTheTableDoesNotList } from './exposure.ts';
import { startManagementListener } from './management.ts';
import { forward, type ProxyContext } from './proxy.ts';
import { memoryRateLimitStore, redisRateLimitStore } from './rate-limit.ts';
import { ratePoliciesWith } from './rate-policies.ts';
import { registerReleaseRoutes, startReleases } from './release-routes.ts';
import { memoryResponseCache, redisResponseCache } from './response-cache.ts';
import { gatewayRoutes, patternsOf, routes } from './routes.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { registerStorefront } from './storefront.ts';
import { upstreamClients } from './upstreams.ts';

export interface Gateway extends Service {
  /** The management listener (`/metrics`), apart from the public one. */
  readonly managementUrl: string;
}

/** Builds and starts the gateway: one Fastify route per entry of the route table. */
export async function startGateway(config: Static<typeof GatewayConfig>): Promise<Gateway> {
  const verifier = jwtVerifier({
    issuer: config.TOKEN_ISSUER,
    audience: config.TOKEN_AUDIENCE,
    jwksUrl: new URL('/.well-known/jwks.json', config.IDENTITY_URL.split(',')[0]).toString(),
    refreshMs: config.JWKS_REFRESH_MS,
  });
  const service = await createService({
    name: 'gateway',
    description: 'The public entry point of the platform',
    ...serviceOptionsFrom(config),
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    auth: verifier,
  });
  // The table decides what the public listener serves, before anything else runs.
  guardBeforeRouting(service.app.server, service.log);
  refuseWhatTheTableDoesNotList(service.app);
  // Every response carries the usual security headers (no sniffing, no framing, HSTS,
  // a strict CSP for the API); browsers may call from the configured origins only.
  installSecurityHeaders(service.app);
  await installCors(service.app, config.CORS_ORIGINS.split(',').filter(Boolean));
  const policies = ratePoliciesWith(config.RATE_LIMIT_POLICIES);
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: false })
    : undefined;
  if (redis) {
    // Start with the shared limits and cache in place when Redis is there; work without it otherwise.
    await Promise.race([once(redis, 'ready'), sleep(3_000)]);
  }
  let warned = false;
  const rateLimits = redis
    ? redisRateLimitStore(redis, (error) => {
        if (!warned)
          service.log.warn({ err: error }, 'Redis unreachable: rate limits are per instance meanwhile');
        warned = true;
      })
    : memoryRateLimitStore();
  service.onShutdown(() => rateLimits.close());
  const cacheTimes = {
    freshMs: config.CACHE_FRESH_MS,
    staleMs: config.CACHE_STALE_MS,
    maxBodyBytes: 256 * 1024,
  };
  const cache = redis ? redisResponseCache(redis, cacheTimes) : memoryResponseCache(cacheTimes);
  service.onShutdown(() => cache.close());
  const http = createHttpClient({ timeoutMs: 10_000 });
  service.onShutdown(() => http.close());
  // With DISCOVERY=static, the upstreams are the configured URL lists.
  const discovery = createDiscovery(config, {
    log: service.log,
    env: {
      CATALOG_URL: config.CATALOG_URL,
      IDENTITY_URL: config.IDENTITY_URL,
      CART_URL: config.CART_URL,
      INVENTORY_URL: config.INVENTORY_URL,
      ORDER_URL: config.ORDER_URL,
      PAYMENT_URL: config.PAYMENT_URL,
      SHIPPING_URL: config.SHIPPING_URL,
      NOTIFICATION_URL: config.NOTIFICATION_URL,
      ANALYTICS_URL: config.ANALYTICS_URL,
      STOREFRONT_URL: config.STOREFRONT_URL,
    },
  });
  const clients = upstreamClients(service, { discovery, http, loadBalancing: config.LOAD_BALANCING });
  const latency = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Time for an upstream to answer a proxied request',
    labelNames: ['upstream', 'status', 'version'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [service.metrics],
  });
  const releases = await startReleases(service, { redis, tickMs: config.RELEASE_TICK_MS });
  const proxy: ProxyContext = { clients, cache, latency, releases };
  const limits = {
    store: rateLimits,
    policies,
    rejected: new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429 by a rate-limit policy',
      labelNames: ['policy'] as const,
      registers: [service.metrics],
    }),
  };
  service.app.decorateRequest('forwardedClient', undefined);
  const forwardedClient = forwardedClients({
    verifier,
    forwarders: config.TRUSTED_FORWARDERS,
    refused: new Counter({
      name: 'gateway_forwarded_client_refused_total',
      help: "Requests naming a client's address (X-Service-For) without a trusted forwarder's token",
      registers: [service.metrics],
    }),
  });
  const edgeStep = async (request: FastifyRequest, reply: FastifyReply, policy: keyof typeof policies) => {
    await forwardedClient(request);
    stripForgeableHeaders(request);
    await enforceRateLimit(limits, policy, request, reply);
  };

  await service.app.register(async (proxied) => {
    // Bodies are passed to the upstream as bytes, not parsed here; reading them
    // whole lets Fastify enforce the body limit (413) before anything is sent on.
    proxied.removeAllContentTypeParsers();
    proxied.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const route of routes) {
      const handler = (request: Parameters<typeof forward>[1], reply: Parameters<typeof forward>[2]) =>
        forward(proxy, request, reply, route);
      const methods = route.methods.filter((method) => method !== 'HEAD');
      const options = {
        method: methods,
        handler,
        schema: { hide: true },
        config: { access: route.access },
        // Runs after the chassis has verified the token (onRequest), so a signed-in
        // caller is limited as a user, not by address.
        preHandler: (request: FastifyRequest, reply: FastifyReply) =>
          edgeStep(request, reply, route.rateLimit),
      };
      for (const url of patternsOf(route)) proxied.route({ ...options, url });
    }
  });
  // The gateway's own routes: access and rate limit from the table, as each is registered.
  applyTableToOwnRoutes(service.app, edgeStep);
  registerOrderDetails(service.app, { clients, releases });
  registerStorefront(service.app, { clients, cache, releases });
  // The API's document: the shop's pages are not part of it.
  const { storefront: _shop, ...apiClients } = clients;
  registerApiDocs(service.app, {
    routes: routes.filter((route) => route.upstream !== 'storefront'),
    gatewayRoutes,
    clients: apiClients,
    log: service.log,
  });
  registerAdminRoutes(service, { discovery, clients: Object.values(clients), http, limits });
  registerReleaseRoutes(service.app, { releases, discovery, http });
  const managementUrl = await startManagementListener(service, {
    host: config.MANAGEMENT_HOST ?? config.HOST,
    port: config.MANAGEMENT_PORT,
  });
  const url = await service.listen({ host: config.HOST, port: config.PORT });
  await announce(service, discovery, { url, version: config.SERVICE_VERSION, zone: config.ZONE });
  return Object.assign(service, { managementUrl });
}
