// A gateway in front of a stand-in upstream that answers 200 to everything and
// records what reached it: for tests of who the route table lets through.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { loadConfig } from '@platform/chassis';
import { startTestIssuer } from '@platform/testkit';
import { GatewayConfig } from '../src/config.ts';
import { startGateway } from '../src/service.ts';

export interface GatewayWithStandIn {
  /** `METHOD /path?query` of every request that reached the upstream. */
  seen: string[];
  /** Calls the gateway, with a token of `roles` if given; the body is read and dropped. */
  call(method: string, path: string, roles?: string[]): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a token issuer, the stand-in, and a gateway whose `urlVariable` (e.g. ANALYTICS_URL) points at it. */
export async function gatewayWithStandIn(urlVariable: string): Promise<GatewayWithStandIn> {
  const seen: string[] = [];
  const issuer = await startTestIssuer();
  const upstream = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const gateway = await startGateway(
    loadConfig(GatewayConfig, {
      [urlVariable]: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
      IDENTITY_URL: new URL(issuer.jwksUrl).origin,
      PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '500',
    }),
  );
  const url = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
  return {
    seen,
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
    async close() {
      await gateway.shutdown('test over');
      upstream.closeAllConnections();
      upstream.close();
      await issuer.close();
    },
  };
}
