// The route table, enforced: the public listener serves what `routes.ts` lists and
// nothing else, and only paths in their one canonical spelling (domain/canonical-path.ts),
// checked before routing, then matched and forwarded exactly as they came.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import {
  type Access,
  type App,
  DEADLINE_HEADER,
  type Logger,
  RouteNotFound,
  sendRawProblem,
} from '@platform/chassis';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { whyNotCanonical } from './domain/canonical-path.ts';
import { PathNotCanonical } from './errors.ts';
import type { RatePolicyName } from './rate-policies.ts';
import { gatewayRoutes, patternsOf, routes } from './routes.ts';

export interface ExposedRoute {
  method: string;
  /** Fastify's pattern, as the route is registered. */
  url: string;
}

/**
 * Every method and pattern the public listener serves, as the table's routes are
 * registered: a forwarded prefix and everything below it, the gateway's own paths,
 * HEAD wherever GET is (Fastify adds it), and OPTIONS (CORS preflights) on each.
 */
export function exposedRoutes(): ExposedRoute[] {
  const exposed = new Map<string, ExposedRoute>();
  const add = (url: string, methods: readonly string[]) => {
    const all = methods.includes('GET') ? [...methods, 'HEAD', 'OPTIONS'] : [...methods, 'OPTIONS'];
    for (const method of all) exposed.set(`${method} ${url}`, { method, url });
  };
  for (const route of routes) for (const url of patternsOf(route)) add(url, route.methods);
  for (const route of gatewayRoutes) add(route.path, route.methods);
  return [...exposed.values()];
}

/**
 * Runs before Fastify routes a request, so no router, plugin or handler ever sees what
 * this refuses: a caller outside the platform does not set our deadlines (`x-deadline-ms`
 * is dropped: a tiny one would make calls time out, a passed one would be a 504 for the
 * asking), and a path that is not canonical is a 400 problem (matching it first would
 * already be reading it one way: find-my-way answers some of them with a 400 of its own).
 */
export function guardBeforeRouting(server: Server, log: Logger): void {
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    delete request.headers[DEADLINE_HEADER];
    const path = (request.url ?? '').split('?', 1)[0] ?? '';
    const why = whyNotCanonical(path);
    if (why) {
      log.info({ method: request.method, why }, 'path refused before routing');
      sendRawProblem(request, response, new PathNotCanonical(`The path is refused: ${why}`));
      return;
    }
    for (const handler of handlers) handler.call(server, request, response);
  });
}

/**
 * Refuses, before any handler runs, a route the table does not list (404): the
 * chassis's `/metrics`, `/openapi.json` and `/admin/faults`, or anything a plugin adds.
 */
export function refuseWhatTheTableDoesNotList(app: App): void {
  const listed = new Set(exposedRoutes().map(({ method, url }) => `${method} ${url}`));
  app.addHook('onRequest', async (request) => {
    const pattern = request.routeOptions.url;
    if (pattern !== undefined && !listed.has(`${request.method} ${pattern}`)) {
      throw new RouteNotFound(`No resource at ${request.url.split('?', 1)[0]}`);
    }
  });
}

type EdgeStep = (request: FastifyRequest, reply: FastifyReply, policy: RatePolicyName) => Promise<void>;

/**
 * Gives each of the gateway's own routes, as it is registered, the access the table
 * declares and the edge's step before its handler (`edgeStep`: forgeable headers
 * dropped, the rate limit of its policy).
 */
export function applyTableToOwnRoutes(app: App, edgeStep: EdgeStep): void {
  const steps = new Map<string, (request: FastifyRequest, reply: FastifyReply) => Promise<void>>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat().map((method) => (method === 'HEAD' ? 'GET' : method));
    const entry = gatewayRoutes.find(
      (own) =>
        own.path === route.url &&
        methods.every((method) => (own.methods as readonly string[]).includes(method)),
    );
    if (!entry) return;
    route.config = { ...route.config, access: entry.access satisfies Access };
    if (!entry.rateLimit) return;
    const policy = entry.rateLimit;
    let step = steps.get(policy);
    if (!step) {
      step = (request, reply) => edgeStep(request, reply, policy);
      steps.set(policy, step);
    }
    // Fastify copies a GET route's options into the HEAD route it adds: once is enough.
    const before = [route.preHandler ?? []].flat();
    if (!before.includes(step)) route.preHandler = [...before, step];
  });
}
