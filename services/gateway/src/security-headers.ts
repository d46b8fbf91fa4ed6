import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '@platform/chassis';
import helmet from 'helmet';

/**
 * The headers helmet's defaults set (no sniffing, no framing, HSTS, a strict CSP for
 * the API, ...), worked out once at start. The same for every answer, so there is no
 * need to build helmet's middleware chain and parse its CSP on every request, which
 * is what registering it as a plugin did (decision 020).
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet()({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/** Every answer of `app`, errors included, carries the security headers. */
export function installSecurityHeaders(app: App): void {
  const headers = securityHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
