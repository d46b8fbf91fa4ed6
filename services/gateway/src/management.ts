// The gateway's management listener: its Prometheus metrics, on a port of their own
// (MANAGEMENT_PORT) that the public edge does not serve, where a scraper reaches the
// pod and the public does not (docs/decisions/012).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InternalError,
  MethodNotAllowed,
  RouteNotFound,
  type Service,
  sendRawProblem,
} from '@platform/chassis';

/** Serves `GET /metrics` of `service` on `host:port`; closed when the service shuts down. Returns its URL. */
export async function startManagementListener(
  service: Service,
  options: { host: string; port: number },
): Promise<string> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      return sendRawProblem(request, response, new RouteNotFound(`No resource at ${path}`));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sendRawProblem(
        request,
        response,
        new MethodNotAllowed('Use GET', { headers: { allow: 'GET, HEAD' } }),
      );
    }
    service.metrics.metrics().then(
      (text) => response.writeHead(200, { 'content-type': service.metrics.contentType }).end(text),
      (error: unknown) => {
        service.log.error({ err: error }, 'metrics could not be collected');
        sendRawProblem(request, response, new InternalError('The metrics could not be collected'));
      },
    );
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  service.onShutdown(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  service.log.info({ url: `${url}/metrics` }, 'metrics on the management listener');
  return url;
}
