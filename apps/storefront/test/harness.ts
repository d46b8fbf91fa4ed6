// The storefront on a throwaway database in front of the stand-in gateway, and a
// browser of sorts: it keeps the cookies it is given, sends the shop's own Origin on form
// posts (as a browser does), and reads each page's form token.
import { loadConfig, type Service, staticDiscovery } from '@platform/chassis';
import { createTestDatabase, startTestIssuer, type TestDatabase, type TestIssuer } from '@platform/testkit';
import { StorefrontConfig } from '../src/config.ts';
import { startStorefront } from '../src/service.ts';
import { SERVICE_SECRET, type StandIn, startStandInGateway } from './stand-in-gateway.ts';

export interface Page {
  status: number;
  location: string;
  text: string;
  headers: Headers;
}

export interface Browser {
  /** The cookies it holds, by name. */
  cookies: Map<string, string>;
  get(path: string, headers?: Record<string, string>): Promise<Page>;
  /** Posts a form from the shop's own page, with the form token of the last page it read. */
  post(path: string, fields?: Record<string, string>, headers?: Record<string, string>): Promise<Page>;
  /** The form token of the last page it read. */
  formToken: string;
}

export interface Shop {
  url: string;
  gateway: StandIn;
  service: Service;
  database: TestDatabase;
  /** Signs administrators' tokens (for the fault rules). */
  issuer: TestIssuer;
  browser(): Browser;
  /** Stops the storefront and starts it again on the same database (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const SECRET = 'the session secret of the storefront tests, 32+ characters';

export async function startShop(label: string): Promise<Shop> {
  const database = await createTestDatabase(`storefront_${label}`);
  const gateway = await startStandInGateway();
  const issuer = await startTestIssuer();
  const start = () =>
    startStorefront(
      loadConfig(StorefrontConfig, {
        DATABASE_URL: database.url,
        GATEWAY_URL: gateway.url,
        STOREFRONT_SESSION_SECRET: SECRET,
        IDENTITY_JWKS_URL: issuer.jwksUrl,
        // Its service token proves to the gateway that the shopper's address it names is true.
        IDENTITY_URL: gateway.url,
        SERVICE_CLIENT_ID: 'storefront',
        SERVICE_CLIENT_SECRET: SERVICE_SECRET,
        LOG_LEVEL: 'silent',
        // As under the launcher: the gateway on this host is the proxy whose X-Forwarded-* are believed.
        TRUST_PROXY: '127.0.0.1',
        SHUTDOWN_TIMEOUT_MS: '500',
      }),
      { discovery: staticDiscovery({}) },
    );
  const shop: Shop = {
    url: '',
    gateway,
    service: await start(),
    database,
    issuer,
    browser: () => browser(shop),
    async restart() {
      await shop.service.shutdown('restart');
      shop.service = await start();
      shop.url = urlOf(shop.service);
    },
    async close() {
      await shop.service.shutdown('test over');
      await gateway.close();
      await issuer.close();
      await database.drop();
    },
  };
  shop.url = urlOf(shop.service);
  return shop;
}

const urlOf = (service: Service) =>
  `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;

function browser(shop: Shop): Browser {
  const cookies = new Map<string, string>();
  const self: Browser = {
    cookies,
    formToken: '',
    get: (path, headers = {}) => visit(path, { headers }),
    post: (path, fields = {}, headers = {}) =>
      visit(path, {
        method: 'POST',
        headers: { origin: shop.url, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ _csrf: self.formToken, ...fields }).toString(),
      }),
  };
  async function visit(
    path: string,
    init: { method?: string; headers: Record<string, string>; body?: string },
  ) {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${shop.url}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = set.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (attributes.some((attribute) => attribute.trim() === 'Max-Age=0')) cookies.delete(name);
      else cookies.set(name, value);
    }
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) self.formToken = token;
    return {
      status: response.status,
      location: response.headers.get('location') ?? '',
      text,
      headers: response.headers,
    };
  }
  return self;
}
