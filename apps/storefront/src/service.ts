import { join } from 'node:path';
import {
  createDiscovery,
  createHttpClient,
  createService,
  type Discovery,
  jwtVerifier,
  openDatabase,
  type Service,
  serve,
  serviceOptionsFrom,
  serviceTokensFrom,
} from '@platform/chassis';
import { acceptForms, securePages, serveAssets } from '@platform/web';
import { registerAccountRoutes } from './account-routes.ts';
import { registerCartRoutes } from './cart-routes.ts';
import { registerCatalogRoutes } from './catalog-routes.ts';
import { registerCheckoutRoutes } from './checkout-routes.ts';
import type { StorefrontSettings } from './config.ts';
import { sessionKeys } from './domain/session-secrets.ts';
import { Gateway } from './gateway.ts';
import { registerLiveOrder } from './live-order.ts';
import { registerOrderRoutes } from './order-routes.ts';
import { Sessions } from './sessions.ts';
import { installVisits, type ShopDeps } from './visit.ts';

/** What every shop page may load and do: its own script, styles, pictures and fetches; nothing from elsewhere. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export const ASSET_FILES = ['shop.css', 'shop.js', 'icon.svg', 'placeholder.svg'];

const SWEEP_INTERVAL_MS = 60 * 60 * 1_000;

/** What tests replace: how the storefront announces itself. */
export interface StorefrontDeps {
  discovery?: Discovery;
}

/** Sessions past their lifetime are deleted hourly. */
function sweepSessions(service: Service, sessions: Sessions): void {
  const sweep = () =>
    sessions
      .removeExpired()
      .then((removed) => removed > 0 && service.log.info({ removed }, 'expired sessions removed'))
      .catch((error: unknown) => service.log.warn({ err: error }, 'could not remove expired sessions'));
  void sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  service.beforeDrain(async () => clearInterval(timer));
}

/** Builds and starts the storefront: its database migrated, the shop's pages listening, announced. */
export async function startStorefront(
  config: StorefrontSettings,
  deps: StorefrontDeps = {},
): Promise<Service> {
  const service = await createService({
    name: 'storefront',
    description: "The shop's web pages, and the backend-for-frontend that keeps shoppers' tokens",
    ...serviceOptionsFrom(config),
    // So an operator can inject faults into the shop as into any service (the console's Faults page).
    auth: jwtVerifier({
      issuer: config.TOKEN_ISSUER,
      audience: config.TOKEN_AUDIENCE,
      jwksUrl: config.IDENTITY_JWKS_URL,
      refreshMs: config.JWKS_REFRESH_MS,
    }),
  });
  const pool = await openDatabase(service, {
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    migrations: new URL('../migrations/', import.meta.url),
  });
  const http = createHttpClient({ timeoutMs: config.STOREFRONT_CALL_TIMEOUT_MS });
  service.onShutdown(() => http.close());
  const gateway = new Gateway({
    url: config.GATEWAY_URL,
    http,
    timeoutMs: config.STOREFRONT_CALL_TIMEOUT_MS,
    serviceTokens: serviceTokensFrom(config),
    log: service.log,
  });
  const keys = sessionKeys(config.STOREFRONT_SESSION_SECRET);
  const sessions = new Sessions({
    pool,
    gateway,
    keys,
    lifetimeDays: config.STOREFRONT_SESSION_DAYS,
    log: service.log,
  });
  sweepSessions(service, sessions);

  const { app } = service;
  acceptForms(app);
  securePages(app, SECURITY_HEADERS);
  const urls = serveAssets(app, join(import.meta.dirname, '..', 'assets'), ASSET_FILES);
  const shopDeps: ShopDeps = {
    sessions,
    keys,
    gateway,
    assets: { css: urls['shop.css'] ?? '', js: urls['shop.js'] ?? '', icon: urls['icon.svg'] ?? '' },
    log: service.log,
  };
  await app.register(async (shop) => {
    installVisits(shop, shopDeps);
    registerCatalogRoutes(shop, shopDeps);
    registerCartRoutes(shop, shopDeps);
    registerAccountRoutes(shop, shopDeps);
    registerCheckoutRoutes(shop, shopDeps);
    registerOrderRoutes(shop, shopDeps);
    registerLiveOrder(shop, shopDeps);
  });
  await serve(service, config, {
    discovery: deps.discovery ?? createDiscovery(config, { log: service.log }),
  });
  return service;
}
