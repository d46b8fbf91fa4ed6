import type { HttpClient } from '@platform/chassis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';
import type { RouteSpec } from './routes.ts';

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
]);

function forwardableHeaders(headers: Record<string, string | string[] | undefined>) {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

/**
 * Forwards the request to `baseUrl` with the same path and query, streaming bodies
 * both ways. Connection failures become 502 problems and timeouts 504, raised by
 * the chassis client and rendered by the chassis error handler.
 */
export async function forward(
  client: HttpClient,
  request: FastifyRequest,
  reply: FastifyReply,
  route: RouteSpec,
  baseUrl: string,
  latency: Histogram<'upstream' | 'status'>,
): Promise<FastifyReply> {
  const headers = forwardableHeaders(request.headers);
  const forwardedFor = request.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.ip}` : request.ip;
  headers['x-forwarded-proto'] = request.protocol;
  headers['x-forwarded-host'] = request.headers.host ?? '';

  const stopTimer = latency.startTimer({ upstream: route.upstream });
  let status = 'error';
  try {
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const response = await client.request({
      method: request.method as RouteSpec['methods'][number],
      url: new URL(request.url, baseUrl).toString(),
      headers,
      body: hasBody ? (request.body as Buffer | undefined) : null,
      timeoutMs: route.timeoutMs,
    });
    status = String(response.statusCode);
    reply.code(response.statusCode).headers(forwardableHeaders(response.headers));
    if (!route.cacheable) reply.header('cache-control', 'private, no-store');
    return reply.send(response.body);
  } finally {
    stopTimer({ status });
  }
}
