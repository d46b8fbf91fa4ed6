// Browsers may call the API from the configured origins only. Actual requests get
// their CORS headers from @fastify/cors; preflights are answered here, from the route
// table, so each says the methods of its own path and a refusal is a problem.
import cors from '@fastify/cors';
import type { App } from '@platform/chassis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CorsRefused } from './errors.ts';
import { exposedRoutes } from './exposure.ts';

const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'idempotency-key',
  'x-correlation-id',
].join(', ');
const EXPOSED_HEADERS = [
  'etag',
  'location',
  'x-correlation-id',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
];
const MAX_AGE_SECONDS = '600';

export async function installCors(app: App, origins: string[]): Promise<void> {
  await app.register(cors, { origin: origins, preflight: false, exposedHeaders: EXPOSED_HEADERS });
  const methodsAt = new Map<string, string[]>();
  for (const { method, url } of exposedRoutes()) {
    if (method !== 'OPTIONS') methodsAt.set(url, [...(methodsAt.get(url) ?? []), method]);
  }
  for (const [url, methods] of methodsAt) {
    app.options(url, { config: { access: 'public' }, schema: { hide: true } }, (request, reply) =>
      preflight(request, reply, origins, methods),
    );
  }
}

/**
 * A preflight from an allowed origin for a method of this path: 204 with what may be
 * sent. From another origin, or for another method: a 403 problem. A plain OPTIONS
 * (no Origin or Access-Control-Request-Method): 204 with `Allow`, as RFC 9110 has it.
 */
async function preflight(
  request: FastifyRequest,
  reply: FastifyReply,
  origins: string[],
  methods: string[],
): Promise<FastifyReply> {
  const origin = request.headers.origin;
  const wanted = request.headers['access-control-request-method'];
  const allow = [...methods, 'OPTIONS'].join(', ');
  if (!origin || !wanted) return reply.code(204).header('allow', allow).send();
  if (!origins.includes(origin)) {
    throw new CorsRefused('The origin of this page is not one allowed to call this API');
  }
  if (!methods.includes(wanted)) {
    throw new CorsRefused(`That method is not allowed here; use ${methods.join(', ')}`, {
      headers: { allow },
    });
  }
  return reply
    .code(204)
    .header('access-control-allow-methods', methods.join(', '))
    .header('access-control-allow-headers', ALLOWED_HEADERS)
    .header('access-control-max-age', MAX_AGE_SECONDS)
    .send();
}
