import { Agent, type Dispatcher, errors } from 'undici';
import { CORRELATION_HEADER, currentCorrelationId, DEADLINE_HEADER, remainingTime } from './context.ts';
import { BadGateway, DeadlineExceeded, GatewayTimeout } from './errors.ts';

export interface OutgoingRequest {
  method: Dispatcher.HttpMethod;
  /** Absolute URL of the upstream resource. */
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
 * An HTTP client with pooled keep-alive connections per origin that passes the
 * current correlation id on (trace context is added by the undici instrumentation)
 * and turns connection failures into 502 and timeouts into 504 problems.
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
      // The call gets no longer than the request it is made for has left, and says so
      // to the upstream, which then does not start work nobody will wait for.
      const remaining = remainingTime();
      if (remaining !== undefined && remaining <= 0) {
        throw new DeadlineExceeded(`No time left to call ${new URL(url).host}`);
      }
      const timeoutMs = Math.max(1, Math.min(requested, remaining ?? requested));
      const correlationId = currentCorrelationId();
      const outgoing: Record<string, string | string[] | undefined> = {
        ...headers,
        [DEADLINE_HEADER]: String(timeoutMs),
      };
      if (correlationId) outgoing[CORRELATION_HEADER] = correlationId;
      try {
        return await agent.request({
          origin: new URL(url).origin,
          path: `${new URL(url).pathname}${new URL(url).search}`,
          method,
          headers: outgoing,
          body: body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (error) {
        const upstream = new URL(url).host;
        if (isTimeout(error)) {
          throw new GatewayTimeout(`${upstream} did not answer within ${timeoutMs} ms`, { cause: error });
        }
        throw new BadGateway(`${upstream} could not be reached`, { cause: error });
      }
    },
    close: () => agent.close(),
  };
}
