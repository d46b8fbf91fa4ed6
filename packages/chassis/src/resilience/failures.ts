import { BadGateway, GatewayTimeout, type ProblemError, ServiceUnavailable } from '../errors.ts';

// What counts against an upstream's health: its circuit breaker, the passive ejection
// of an instance, and whether a call is worth retrying elsewhere. Only what says "this
// upstream, now": never what one request brought on itself, or a caller can take a
// service offline for everyone by sending requests that fail (docs/decisions/011).

/**
 * Answers that say the upstream is unavailable rather than that this request failed:
 * 502, 503, 504. A 500 is a bug met by one request and never counts; a service whose
 * own dependency (its database) is unreachable says so with 503.
 */
const UNAVAILABLE = new Set([502, 503, 504]);

/** Whether an upstream's answer with `status` counts as the upstream failing. */
export function answerCountsAgainstUpstream(status: number): boolean {
  return UNAVAILABLE.has(status);
}

/**
 * Whether a call that did not get an answer counts as the upstream failing: a
 * connection that could not be made or broke does; a timeout does when the upstream
 * had the client's own time for it, not when a caller's shorter deadline or the
 * request's own shorter time (a part of a page it can do without) cut it off (a call
 * slower than the breaker's slow-call limit still counts, as slow). Anything
 * else (no time left before sending, a request the HTTP client refused) is ours.
 */
export function errorCountsAgainstUpstream(error: unknown, cutShortByCaller: boolean): boolean {
  if (error instanceof BadGateway) return true;
  if (error instanceof GatewayTimeout) return !cutShortByCaller;
  return false;
}

/** Network errors of a connection to something this service depends on. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a PostgreSQL that is unreachable, shutting down or out of connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
/** node-postgres's own words for a lost or impossible connection (it sets no code). */
const PG_CONNECTION_MESSAGE =
  /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error)/;

/**
 * The 503 to answer when `error` (or its cause) is a dependency of this service being
 * unreachable (its database down, refusing connections, out of connections): the
 * service is unavailable, which its callers' breakers count, not buggy, which they
 * must not. Undefined for any other error.
 */
export function dependencyUnavailable(error: unknown): ProblemError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      (typeof code === 'string' && (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) ||
      PG_CONNECTION_MESSAGE.test(current.message)
    ) {
      return new ServiceUnavailable('A dependency of this service is unavailable; try again shortly', {
        headers: { 'retry-after': '1' },
      });
    }
    current = current.cause;
  }
  return undefined;
}
