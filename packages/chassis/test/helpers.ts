import { connect } from 'node:net';
import { type App, createService, type Service, type ServiceOptions } from '../src/index.ts';

/** A chassis service with the given routes, listening on a free port. */
export async function startTestService(
  routes: (app: App) => void,
  options: Partial<ServiceOptions> = {},
): Promise<{ service: Service; url: string }> {
  const service = await createService({ name: 'test', logLevel: 'silent', ...options });
  routes(service.app);
  const url = await service.listen({ host: '127.0.0.1', port: 0 });
  return { service, url };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/**
 * Sends `request` byte for byte on a TCP socket (fetch refuses to send malformed
 * HTTP) and reads the answer until the server closes or 2 s pass.
 */
export function rawRequest(url: string, request: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      if (!Number.isInteger(status)) return reject(new Error(`no HTTP response: ${JSON.stringify(text)}`));
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status, headers, body: rest.join('\r\n\r\n'), closed });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, 2_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(request);
  });
}
