// A gateway in front of a stand-in upstream that answers 200 to everything (unless a
// test says otherwise) and records what reached it: for tests of who and what the
// route table lets through.
import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { loadConfig } from '@platform/chassis';
import { startTestIssuer } from '@platform/testkit';
import { GatewayConfig } from '../src/config.ts';
import { type Gateway, startGateway } from '../src/service.ts';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface GatewayWithStandIn {
  gateway: Gateway;
  /** The gateway's public URL. */
  url: string;
  /** `METHOD /path?query` of every request that reached the upstream. */
  seen: string[];
  /** Headers of the last request that reached the upstream. */
  lastHeaders(): IncomingHttpHeaders;
  token(roles: string[]): Promise<string>;
  /** Calls the gateway, with a token of `roles` if given; the body is read and dropped. */
  call(method: string, path: string, roles?: string[]): Promise<Response>;
  /** Sends `path` exactly as written (fetch would resolve `..` and `%2e%2e` first). */
  raw(method: string, path: string, headers?: Record<string, string>, body?: string): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** How the stand-in answers; by default 200 with an empty page. */
  answer?: (request: IncomingMessage, response: ServerResponse) => void;
  /** More gateway settings. */
  env?: Record<string, string>;
}

const emptyPage = (_request: IncomingMessage, response: ServerResponse) =>
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');

/** Sends `path` as written to `base`, with node:http, which does not normalise it. */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/`, { method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Starts a token issuer, the stand-in, and a gateway whose `urlVariables` (e.g.
 * ANALYTICS_URL) point at it. The stand-in also serves the issuer's keys, so it can
 * stand in for identity (IDENTITY_URL) as well.
 */
export async function gatewayWithStandIn(
  urlVariables: string | string[],
  options: StandInOptions = {},
): Promise<GatewayWithStandIn> {
  const seen: string[] = [];
  let lastHeaders: IncomingHttpHeaders = {};
  const issuer = await startTestIssuer();
  const keys = await (await fetch(issuer.jwksUrl)).text();
  const answer = options.answer ?? emptyPage;
  const upstream = createServer((request, response) => {
    // The gateway's own fetch of the keys (not forwarded: no X-Forwarded-For).
    if (request.url === '/.well-known/jwks.json' && request.headers['x-forwarded-for'] === undefined) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(keys);
      return;
    }
    seen.push(`${request.method} ${request.url}`);
    lastHeaders = request.headers;
    answer(request, response);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  const variables = [urlVariables].flat();
  const gateway = await startGateway(
    loadConfig(GatewayConfig, {
      IDENTITY_URL: variables.includes('IDENTITY_URL') ? upstreamUrl : new URL(issuer.jwksUrl).origin,
      ...Object.fromEntries(variables.map((name) => [name, upstreamUrl])),
      PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '500',
      ...options.env,
    }),
  );
  const url = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
  return {
    gateway,
    url,
    seen,
    lastHeaders: () => lastHeaders,
    token: (roles) => issuer.token(roles),
    async call(method, path, roles) {
      const token = roles ? await issuer.token(roles) : undefined;
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      await response.arrayBuffer();
      return response;
    },
    raw: (method, path, headers, body) => rawRequest(url, method, path, headers, body),
    async close() {
      await gateway.shutdown('test over');
      upstream.closeAllConnections();
      upstream.close();
      await issuer.close();
    },
  };
}
