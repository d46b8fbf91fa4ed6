import {
  type AttemptSeen,
  BadGateway,
  GatewayTimeout,
  isTimeout,
  ProblemError,
  type ServiceClient,
  type ServiceResponse,
} from '@platform/chassis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';
import { clientAddressOf } from './client-address.ts';
import { type Target, targetOf, VERSION_HEADER } from './release-routing.ts';
import type { Releases } from './releases.ts';
import {
  type CachedResponse,
  cacheKeyOf,
  isFresh,
  mayStore,
  type ResponseCache,
  representationHeaders,
} from './response-cache.ts';
import type { RouteSpec, Upstream } from './routes.ts';

// Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, not the message.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  // Answered by the gateway's own server (100 Continue); undici refuses to send it on.
  'expect',
]);

function forwardableHeaders(headers: Record<string, string | string[] | undefined>) {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

export interface ProxyContext {
  clients: Record<Upstream, ServiceClient>;
  cache: ResponseCache;
  latency: Histogram<'upstream' | 'status' | 'version'>;
  releases: Releases;
}

/**
 * Forwards the request to an instance of the route's upstream (through the service
 * client: discovery, load balancing, breaker, bulkhead, retries), with the path and
 * query exactly as they came and matched the table (only canonical paths get here:
 * exposure.ts), streaming bodies both ways. Public cacheable GETs go through the
 * response cache, which also answers with a stale copy when the upstream fails.
 */
export async function forward(
  context: ProxyContext,
  request: FastifyRequest,
  reply: FastifyReply,
  route: RouteSpec,
): Promise<FastifyReply> {
  const target = targetOf(context.releases, route, request);
  // A tester forcing a version is served by it, never from what another version left in the cache.
  if (route.cacheable && request.method === 'GET' && !target.forced)
    return forwardCached(context, request, reply, route, target);
  const response = await callUpstream(context, request, route, requestHeaders(request), target);
  if (target.forced) reply.header(VERSION_HEADER, response.instance.version);
  if (request.method !== 'GET' && request.method !== 'HEAD' && response.statusCode < 400) {
    // A change through the gateway: what the cache holds of this upstream may be wrong now.
    await context.cache.invalidate(route.upstream);
  }
  reply.code(response.statusCode).headers(forwardableHeaders(response.headers));
  const upstreamSays = route.upstreamCacheControl && response.headers['cache-control'] !== undefined;
  if (!route.cacheable && !upstreamSays) reply.header('cache-control', 'private, no-store');
  return reply.send(await bodyToSend(response, route.upstream));
}

/** Answers up to this size are read whole and sent in one write; larger ones stream. */
const BUFFERED_BODY_BYTES = 64 * 1024;

/**
 * The upstream's body as Fastify should send it: a small one with a known length as
 * bytes (one write, none of a stream's machinery per answer), anything else as the
 * stream it is (server-sent events, a large page), so the gateway never holds it.
 */
async function bodyToSend(
  response: ServiceResponse,
  upstream: Upstream,
): Promise<ServiceResponse['body'] | Buffer> {
  const length = Number(response.headers['content-length'] ?? Number.NaN);
  if (!(length <= BUFFERED_BODY_BYTES)) return response.body;
  return wholeBody(response, upstream);
}

/** The upstream's whole answer; one that breaks off or stalls is the upstream's failure (502, 504). */
async function wholeBody(response: ServiceResponse, upstream: Upstream): Promise<Buffer> {
  try {
    return Buffer.from(await response.body.arrayBuffer());
  } catch (error) {
    if (isTimeout(error))
      throw new GatewayTimeout(`${upstream} stopped sending its answer`, { cause: error });
    throw new BadGateway(`${upstream} broke off its answer`, { cause: error });
  }
}

function requestHeaders(request: FastifyRequest): Record<string, string | string[]> {
  const headers = forwardableHeaders(request.headers);
  const forwardedFor = request.headers['x-forwarded-for'];
  const client = clientAddressOf(request);
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${client}` : client;
  headers['x-forwarded-proto'] = request.protocol;
  headers['x-forwarded-host'] = request.headers.host ?? '';
  return headers;
}

async function callUpstream(
  context: ProxyContext,
  request: FastifyRequest,
  route: RouteSpec,
  headers: Record<string, string | string[]>,
  target: Target,
): Promise<ServiceResponse> {
  const stopTimer = context.latency.startTimer({ upstream: target.upstream });
  let answered: ServiceResponse | undefined;
  try {
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    answered = await context.clients[target.upstream].request({
      method: request.method as RouteSpec['methods'][number],
      path: request.url,
      headers,
      body: hasBody ? (request.body as Buffer | undefined) : null,
      timeoutMs: route.timeoutMs,
      version: target.version,
      // A release's figures count what each instance did or failed to do, attempt by
      // attempt: a failure a retry hid from the caller still counts against its version,
      // and so does a call its version's open circuit sent to the other one; the client's
      // other refusals (bulkhead full, no instance) are no version's.
      ...(target.forced
        ? {}
        : {
            onAttempt: ({ version, status, elapsedMs, refused }: AttemptSeen) =>
              context.releases.record(
                target.upstream,
                version,
                status,
                refused ? undefined : elapsedMs / 1_000,
              ),
          }),
    });
    return answered;
  } finally {
    // The version that answered; with no answer, the one asked for.
    const version = answered?.instance.version ?? target.version;
    const status = answered?.statusCode;
    stopTimer({ status: status === undefined ? 'error' : String(status), version: version ?? 'none' });
  }
}

async function forwardCached(
  context: ProxyContext,
  request: FastifyRequest,
  reply: FastifyReply,
  route: RouteSpec,
  target: Target,
): Promise<FastifyReply> {
  const { cache } = context;
  const key = cacheKeyOf(request.url, target.version);
  const cached = await cache.get(route.upstream, key);
  if (cached && isFresh(cache, cached)) return sendCached(request, reply, cached, 'HIT');
  // Ask for the whole representation, to store it; the client's condition is checked here.
  const headers = requestHeaders(request);
  delete headers['if-none-match'];
  delete headers['if-modified-since'];
  let response: ServiceResponse;
  try {
    response = await callUpstream(context, request, route, headers, target);
  } catch (error) {
    if (cached && error instanceof ProblemError && error.status >= 500) {
      return sendCached(request, reply, cached, 'STALE', error.message);
    }
    throw error;
  }
  if (response.statusCode >= 500 && cached) {
    await response.body.dump();
    return sendCached(request, reply, cached, 'STALE', `upstream answered ${response.statusCode}`);
  }
  const length = Number(response.headers['content-length'] ?? Number.NaN);
  const storable = mayStore(request.headers, response.headers);
  if (response.statusCode !== 200 || !(length <= cache.maxBodyBytes) || !storable) {
    reply.code(response.statusCode).headers(forwardableHeaders(response.headers));
    return reply.header('x-cache', 'BYPASS').send(await bodyToSend(response, route.upstream));
  }
  const entry: CachedResponse = {
    status: 200,
    headers: representationHeaders(response.headers),
    body: (await wholeBody(response, route.upstream)).toString('base64'),
    storedAt: Date.now(),
  };
  await cache.put(route.upstream, key, entry);
  return sendCached(request, reply, entry, 'MISS');
}

/** Sends a stored answer, honouring the client's If-None-Match; a stale one says so. */
function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  entry: CachedResponse,
  outcome: 'HIT' | 'MISS' | 'STALE',
  staleBecause?: string,
): FastifyReply {
  reply.headers(entry.headers);
  reply.header('x-cache', outcome);
  reply.header('age', String(Math.floor((Date.now() - entry.storedAt) / 1000)));
  if (outcome === 'STALE') {
    // RFC 9111 dropped the Warning header, but clients still read it; x-cache is ours.
    reply.header('warning', '110 gateway "Response is Stale"');
    reply.header('x-stale-reason', staleBecause ?? 'upstream unavailable');
  }
  const etag = entry.headers.etag;
  const condition = request.headers['if-none-match'];
  if (etag && condition?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    return reply.code(304).send();
  }
  return reply.code(entry.status).send(Buffer.from(entry.body, 'base64'));
}
