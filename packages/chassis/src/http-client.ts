import { Agent, type Dispatcher, errors } from 'undici';
import { CORRELATION_HEADER, currentCorrelationId, DEADLINE_HEADER, remainingTime } from './context.ts';
import { BadGateway, DeadlineExceeded, GatewayTimeout, InternalError } from './errors.ts';
import { endHttpSpan, failHttpSpan, startClientSpan } from './tracing.ts';

export interface OutgoingRequest {
  method: Dispatcher.HttpMethod;
  /** Absolute URL of the upstream resource; its path is sent exactly as written here. */
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Dispatcher.DispatchOptions['body'];
  /** Time allowed for the response headers, then for each gap in the body. */
  timeoutMs?: number;
}

export interface HttpClient {
  request(request: OutgoingRequest): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** True for undici's timeout errors, which a caller reports as 504 rather than 502. */
export function isTimeout(error: unknown): boolean {
  return error instanceof errors.UndiciError && TIMEOUT_CODES.has((error as { code?: string }).code ?? '');
}

/**
 * The origin of an absolute URL and the rest of it exactly as written. `new URL()`
 * would resolve `..` and `%2e%2e` and re-encode what it likes, so a gateway would
 * forward another path than the one its route table matched.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/is.exec(url);
  if (!match?.[1]) throw new TypeError(`Not an absolute URL: ${url}`);
  const rest = match[2] ?? '';
  return { origin: new URL(match[1]).origin, path: rest.startsWith('/') ? rest : `/${rest}` };
}

/**
 * An HTTP client with pooled keep-alive connections per origin that passes the
 * current correlation id and trace context on (with a client span when the trace is
 * sampled) and turns connection failures into 502 and timeouts into 504 problems.
 */
export function createHttpClient(
  options: { timeoutMs?: number; connectionsPerOrigin?: number } = {},
): HttpClient {
  const defaultTimeout = options.timeoutMs ?? 10_000;
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: 10_000,
    connect: { timeout: Math.min(defaultTimeout, 5_000) },
  });
  return {
    async request({ method, url, headers = {}, body, timeoutMs: requested = defaultTimeout }) {
      const { origin, path } = splitUrl(url);
      const upstream = new URL(origin).host;
      // The call gets no longer than the request it is made for has left, and says so
      // to the upstream, which then does not start work nobody will wait for.
      const remaining = remainingTime();
      if (remaining !== undefined && remaining <= 0) {
        throw new DeadlineExceeded(`No time left to call ${upstream}`);
      }
      const timeoutMs = Math.max(1, Math.min(requested, remaining ?? requested));
      const correlationId = currentCorrelationId();
      const outgoing: Record<string, string | string[] | undefined> = {
        ...headers,
        [DEADLINE_HEADER]: String(timeoutMs),
      };
      if (correlationId) outgoing[CORRELATION_HEADER] = correlationId;
      const span = startClientSpan(method, upstream, path, outgoing);
      try {
        const response = await agent.request({
          origin,
          path,
          method,
          headers: outgoing,
          body: body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        if (span) endHttpSpan(span, response.statusCode, 'client');
        return response;
      } catch (error) {
        if (span) failHttpSpan(span, error);
        // A request undici refuses to send (a header or path it rejects) is this
        // caller's fault, never a sign that the upstream is failing.
        if (error instanceof errors.InvalidArgumentError || error instanceof errors.NotSupportedError) {
          throw new InternalError(`A request to ${upstream} could not be sent`, { cause: error });
        }
        if (isTimeout(error)) {
          throw new GatewayTimeout(`${upstream} did not answer within ${timeoutMs} ms`, { cause: error });
        }
        throw new BadGateway(`${upstream} could not be reached`, { cause: error });
      }
    },
    close: () => agent.close(),
  };
}
