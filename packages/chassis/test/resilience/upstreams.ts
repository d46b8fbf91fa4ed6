import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A real HTTP upstream for client tests: counts what it receives, answers as told. */
export interface Upstream {
  url: string;
  hits: number;
  /** Headers of the last request it received. */
  lastHeaders: IncomingMessage['headers'];
  behave(handler: (request: IncomingMessage, response: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function startUpstream(
  handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) =>
    response.end('ok'),
): Promise<Upstream> {
  let current = handler;
  const upstream: Upstream = {
    url: '',
    hits: 0,
    lastHeaders: {},
    behave: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    upstream.hits += 1;
    upstream.lastHeaders = request.headers;
    current(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  upstream.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return upstream;
}

export const answer =
  (status: number, body = '', delayMs = 0) =>
  (_request: IncomingMessage, response: ServerResponse) => {
    setTimeout(() => {
      response.statusCode = status;
      response.end(body);
    }, delayMs);
  };
