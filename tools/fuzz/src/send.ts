// Sends a fuzzed request byte for byte. node:http, not fetch: fetch resolves dot
// segments and re-encodes the path (WHATWG URL rules), so `..%2f` and raw `..` would
// never reach the gateway as written.
import { Agent, request as httpRequest } from 'node:http';
import type { FuzzRequest } from './wire.ts';

export interface Answer {
  /** 0 when nothing came back. */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** From the request's first byte to the answer's last (or, for an event stream, its headers). */
  ms: number;
  /** Why there is no answer: a reset connection, or none within the time allowed. */
  error?: string;
}

/** More than any answer the platform gives; past it, the rest is dropped unread. */
const MAX_BODY = 4 * 1024 * 1024;

export interface Sender {
  send(request: FuzzRequest, token: string | undefined, giveUpAfterMs: number): Promise<Answer>;
  close(): void;
}

function flat(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** A sender to `gateway` keeping up to `connections` connections open. */
export function sender(gateway: string, connections: number): Sender {
  const url = new URL(gateway);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    close: () => agent.destroy(),
    send(request, token, giveUpAfterMs) {
      return attempt(request, token, giveUpAfterMs, true);
    },
  };

  function attempt(request: FuzzRequest, token: string | undefined, giveUpAfterMs: number, retry: boolean) {
    const headers: Record<string, string> = { ...request.headers };
    if (token && request.auth !== 'none' && !headers.authorization) headers.authorization = `Bearer ${token}`;
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    if (body) headers['content-length'] = String(body.length);
    const started = performance.now();
    return new Promise<Answer>((resolve) => {
      let settled = false;
      const done = (answer: Omit<Answer, 'ms'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...answer, ms: Math.round(performance.now() - started) });
      };
      const outgoing = httpRequest(
        { agent, host: url.hostname, port: url.port, method: request.method, path: request.path, headers },
        (response) => {
          const status = response.statusCode ?? 0;
          const responseHeaders = flat(response.headers);
          if ((responseHeaders['content-type'] ?? '').startsWith('text/event-stream')) {
            response.destroy();
            return done({ status, headers: responseHeaders, body: Buffer.alloc(0) });
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size < MAX_BODY) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('end', () => done({ status, headers: responseHeaders, body: Buffer.concat(chunks) }));
          response.on('error', (error) =>
            done({ status, headers: responseHeaders, body: Buffer.concat(chunks), error: error.message }),
          );
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy();
        done({
          status: 0,
          headers: {},
          body: Buffer.alloc(0),
          error: `no answer within ${giveUpAfterMs} ms`,
        });
      }, giveUpAfterMs);
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed just as it was reused: the request
        // never reached it (Node's advice: send it again, once).
        if (retry && outgoing.reusedSocket && error.code === 'ECONNRESET' && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve(attempt(request, token, giveUpAfterMs, false));
          return;
        }
        done({ status: 0, headers: {}, body: Buffer.alloc(0), error: error.message });
      });
      outgoing.end(body);
    });
  }
}
