// A service's gRPC listener: HTTP/2 without TLS (h2c, as inside a cluster), Connect's
// Node adapter (gRPC, and gRPC-Web and Connect for clients without HTTP/2), the standard
// health checking protocol, and every RPC in the service's trace, correlation and
// deadline context (server-context.ts). It stops with the service: sessions are told to
// go away (GOAWAY) once HTTP has drained.
import { createServer, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { Service } from '../service.ts';
import { registerHealth } from './health.ts';
import { serverContext } from './server-context.ts';

export interface GrpcServerOptions {
  host: string;
  /** 0: any free port (the URL is returned, and announced by the caller). */
  port: number;
  /** Registers the service's own gRPC services. */
  routes(router: ConnectRouter): void;
}

/** Starts the listener; resolves with its URL (`http://host:port`). */
export async function serveGrpc(service: Service, options: GrpcServerOptions): Promise<string> {
  let stopping = false;
  const handler = connectNodeAdapter({
    routes: (router) => {
      options.routes(router);
      registerHealth(router, { service, stopping: () => stopping });
    },
    interceptors: [serverContext(service.log, service.metrics)],
  });
  const server = createServer(handler);
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  service.onShutdown(async () => {
    stopping = true;
    for (const session of sessions) session.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  service.log.info({ url }, 'gRPC listening');
  return url;
}
