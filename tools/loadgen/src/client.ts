// The connection to the gateway: one undici Pool of keep-alive connections, capped.
// Without a cap a stalled platform would be met by one new connection per waiting
// shopper, hundreds at once: its accept queue overflows, SYNs are dropped and retried
// after 1, 3, 7 s, and the run measures TCP's backoff instead of the platform. Past
// the cap requests wait in the pool; their latency still starts at their ticket's
// intended time, so the wait is counted, not hidden. The per-request timeout is
// undici's own headers and body timers: no timer, promise race or AbortController of
// ours per request.
import { Pool } from 'undici';

export interface Call {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The step needs what the answer says (an order id, a status, tokens). */
  read: boolean;
}

export interface Answer {
  /** 0 when no answer came. */
  status: number;
  /** performance.now() when the whole answer was in, or the request failed. */
  endedAt: number;
  /** Read when the call asked for it, and for every error (its problem says why). */
  body?: string;
  /** The gateway's x-cache header. */
  cache?: string;
  /** With no answer: the error's code (UND_ERR_HEADERS_TIMEOUT, ECONNREFUSED, ...) and message. */
  failure?: string;
  message?: string;
}

export interface GatewayOptions {
  /** Connections kept at most (opened only as needed). */
  connections: number;
  /** No headers, or no body chunk, within this long: the request fails with a timeout. */
  timeoutMs: number;
}

export class Gateway {
  readonly origin: string;
  readonly #pool: Pool;

  constructor(origin: string, options: GatewayOptions) {
    this.origin = origin;
    this.#pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // Idle connections stay open between a shopper's steps and across quiet seconds.
      keepAliveTimeout: 30_000,
    });
  }

  /** Sends `call`; never throws: a failure is an answer with status 0. */
  async send(call: Call): Promise<Answer> {
    try {
      const { statusCode, headers, body } = await this.#pool.request({
        method: call.method,
        path: call.path,
        headers: call.headers ?? null,
        body: call.body ?? null,
      });
      const cache = headers['x-cache'];
      const answer: Answer = { status: statusCode, endedAt: 0 };
      if (typeof cache === 'string') answer.cache = cache;
      // Bodies nobody reads are drained, not buffered: most of a run's answers.
      if (call.read || statusCode >= 400) answer.body = await body.text();
      else await body.dump();
      answer.endedAt = performance.now();
      return answer;
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      return {
        status: 0,
        endedAt: performance.now(),
        failure: code ?? 'ERROR',
        message: message ?? String(error),
      };
    }
  }

  /** Connections open, and requests waiting for one (past the cap). */
  connections(): { connections: number; queued: number } {
    const { connected, queued } = this.#pool.stats;
    return { connections: connected, queued };
  }

  /** Ends every connection now: a request still queued has been recorded already, and must not hold the exit. */
  close(): Promise<void> {
    return this.#pool.destroy();
  }
}
