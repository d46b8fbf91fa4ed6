import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BlockList, isIPv6 } from 'node:net';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Span } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import { installAuth, type TokenVerifier } from './auth.ts';
import { DEFAULT_BODY_LIMIT_BYTES } from './config.ts';
import { acceptCorrelationId, CORRELATION_HEADER } from './context.ts';
import { startFlags } from './flags.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { installIdempotency } from './idempotency.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetricsRegistry, instrumentHttp } from './metrics.ts';
import { installOpenApi } from './openapi.ts';
import { installProblemHandlers } from './problem.ts';
import { installRequestLifecycle } from './request-lifecycle.ts';
import { FaultInjector, installFaults } from './resilience/faults.ts';
import { inputOptions, installInputGuards } from './validation.ts';

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface ServiceOptions {
  name: string;
  version?: string;
  description?: string;
  instanceId?: string;
  logLevel?: string;
  bodyLimitBytes?: number;
  /** How long in-flight requests get to finish after a shutdown starts. */
  shutdownTimeoutMs?: number;
  /** Verifies bearer tokens; routes then declare `config.access` (default 'user'). */
  auth?: TokenVerifier;
  /**
   * Proxies (comma-separated addresses or CIDR blocks) whose X-Forwarded-For gives
   * `request.ip`: the last address it appended, nothing before it; by default none.
   */
  trustProxy?: string;
  /** Time a client has to send its whole request (slow-loris protection); default 30 s. */
  requestTimeoutMs?: number;
  /** The feature flags file (flags.ts); by default the checked-in flags. */
  flagsFile?: string;
}

export interface Service {
  readonly name: string;
  readonly instanceId: string;
  readonly app: App;
  readonly log: Logger;
  readonly metrics: Registry;
  /** This process's fault rule (set through `PUT /admin/faults`, admin only). */
  readonly faults: FaultInjector;
  /** `/readyz` reports ready only while every check resolves. */
  addReadinessCheck(name: string, check: () => Promise<unknown>): void;
  /** Runs after HTTP has drained, in reverse order of registration (close pools last-opened first). */
  onShutdown(cleanup: () => Promise<void>): void;
  /**
   * Runs when a shutdown starts, before HTTP drains (at most 2 s): say goodbye to the
   * registry, so callers stop picking this instance while it finishes what it has.
   */
  beforeDrain(step: () => Promise<void>): void;
  listen(options: { host: string; port: number }): Promise<string>;
  /** Stops taking requests, lets in-flight ones finish within the deadline, then cleans up. */
  shutdown(reason: string): Promise<{ drained: boolean }>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The span of this request (tracing.ts); none for health checks and scrapes. */
    serverSpan: Span | undefined;
  }
  interface FastifyContextConfig {
    /** The platform's own plumbing (discovery's heartbeats and lookups): no span, like a probe. */
    untraced?: boolean;
  }
}

const INTERNAL_ROUTE = { hide: true } as const;

/**
 * Believes one hop only: the address a listed proxy (the gateway) appended. The entries
 * before it are the client's own claim, and a client on the proxy's host (every client
 * of a local platform) would otherwise be trusted to make it: rate limits and sign-in
 * throttling keyed on `request.ip` would count whatever address it names.
 */
function trustImmediateProxy(list: string): (address: string, hop: number) => boolean {
  const proxies = new BlockList();
  for (const entry of list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) proxies.addAddress(address, family);
    else proxies.addSubnet(address, Number(prefix), family);
  }
  return (address, hop) => hop === 0 && proxies.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}
const PUBLIC = { access: 'public' } as const;

/** Builds a Fastify service with the chassis's logging, errors, health, metrics and OpenAPI. */
export async function createService(options: ServiceOptions): Promise<Service> {
  const instanceId = options.instanceId ?? `${options.name}-${randomUUID().slice(0, 8)}`;
  const log = createLogger({
    service: options.name,
    instance: instanceId,
    level: options.logLevel ?? 'info',
  });
  const metrics = createMetricsRegistry({
    service: options.name,
    instance: instanceId,
    ...(options.version ? { version: options.version } : {}),
  });
  await startFlags(options.flagsFile, log);
  const readinessChecks = new Map<string, () => Promise<unknown>>();
  const cleanups: Array<() => Promise<void>> = [];
  const drainSteps: Array<() => Promise<void>> = [];
  let shuttingDown: Promise<{ drained: boolean }> | undefined;

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per request (our onResponse hook), labelled with the correlation id.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'correlationId' }),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // The correlation id reaches every log line through the logger's mixin (so also
    // lines logged outside `request.log`); the request logger adds no second copy.
    childLoggerFactory: (logger, _bindings, options) => logger.child({}, options),
    genReqId: (request) => acceptCorrelationId(request.headers[CORRELATION_HEADER]),
    return503OnClosing: true,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    ...(options.trustProxy ? { trustProxy: trustImmediateProxy(options.trustProxy) } : {}),
    // Idle keep-alive sockets are closed at shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    // Input at the edge: validation without body coercion, problems for malformed HTTP (decision 013).
    ...inputOptions(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  installRequestLifecycle(app, () => shuttingDown !== undefined);

  installProblemHandlers(app);
  // Input at the edge: text no service can store is refused before any route or token check.
  installInputGuards(app);
  if (options.auth) installAuth(app, options.auth);
  // Fault rules need an admin token to set, so only services that verify tokens take them.
  const faults = new FaultInjector();
  if (options.auth) installFaults(app, faults);
  instrumentHttp(app, metrics);
  // Before the document: a route's key header is added to its schema as it is declared.
  installIdempotency(app);
  await installOpenApi(app, options, metrics);

  registerHealthRoutes(app, { readinessChecks, shuttingDown: () => shuttingDown !== undefined });
  app.get('/metrics', { config: PUBLIC, schema: INTERNAL_ROUTE }, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.metrics();
  });
  app.get('/openapi.json', { config: PUBLIC, schema: INTERNAL_ROUTE }, async () => app.swagger());

  async function shutdown(reason: string): Promise<{ drained: boolean }> {
    shuttingDown ??= (async () => {
      log.info({ reason }, 'shutting down');
      await Promise.race([
        Promise.all(
          drainSteps.map((step) =>
            step().catch((error: unknown) => log.warn({ err: error }, 'pre-drain step failed')),
          ),
        ),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]);
      const deadline = options.shutdownTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        app.close().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), deadline);
        }),
      ]);
      clearTimeout(timer);
      if (!drained) {
        log.warn({ deadlineMs: deadline }, 'in-flight requests did not finish before the deadline');
        app.server.closeAllConnections();
      }
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error: unknown) => log.error({ err: error }, 'cleanup failed'));
      }
      log.info('stopped');
      return { drained };
    })();
    return shuttingDown;
  }

  return {
    name: options.name,
    instanceId,
    app,
    log,
    metrics,
    faults,
    addReadinessCheck: (name, check) => void readinessChecks.set(name, check),
    onShutdown: (cleanup) => void cleanups.push(cleanup),
    beforeDrain: (step) => void drainSteps.push(step),
    async listen({ host, port }) {
      return app.listen({ host, port, listenTextResolver: (address) => `listening on ${address}` });
    },
    shutdown,
  };
}
