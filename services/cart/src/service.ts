import {
  connectPeers,
  createDiscovery,
  type Discovery,
  openDataService,
  type Pool,
  type Service,
  serve,
  type TokenSource,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import { cartOperations } from './carts.ts';
import { catalogLookup } from './catalog-client.ts';
import type { CartSettings } from './config.ts';
import { followCatalog, followOrders } from './handlers.ts';
import { registerCartRoutes } from './http.ts';
import { PEERS } from './peers.ts';
import { deleteIdleGuestCarts } from './store.ts';

/** What tests replace: how the catalog is found, and the service's own tokens. */
export interface CartDeps {
  discovery?: Discovery;
  tokens?: TokenSource;
}

const SWEEP_INTERVAL_MS = 60 * 60 * 1_000;

/** Guest carts outlive their cookie by nothing: swept hourly once idle for the cookie's lifetime. */
function sweepGuestCarts(service: Service, pool: Pool, days: number): void {
  const sweep = () =>
    deleteIdleGuestCarts(pool, days)
      .then((deleted) => {
        if (deleted > 0) service.log.info({ deleted }, 'idle guest carts deleted');
      })
      .catch((error: unknown) => service.log.warn({ err: error }, 'could not sweep idle guest carts'));
  void sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  service.beforeDrain(async () => clearInterval(timer));
}

/** Builds and starts the cart: database migrated, catalog copy and checkouts followed, routes listening. */
export async function startCart(config: CartSettings, deps: CartDeps = {}): Promise<Service> {
  const { service, pool, bus } = await openDataService(config, {
    name: 'cart',
    description: 'Carts of signed-in users and guests',
    migrations: new URL('../migrations/', import.meta.url),
    schemas: eventSchemas,
  });
  const discovery = deps.discovery ?? createDiscovery(config, { log: service.log });
  const peers = connectPeers(service, config, PEERS, {
    discovery,
    // The catalog's time is its client's own, not one request's hurry: its timeouts
    // count against the catalog's circuit (decision 011).
    client: { timeoutMs: config.CATALOG_TIMEOUT_MS },
    ...(deps.tokens ? { tokens: deps.tokens } : {}),
  });
  const carts = cartOperations({
    pool,
    catalog: catalogLookup(peers),
    currency: config.CART_CURRENCY,
    log: service.log,
  });
  registerCartRoutes(service.app, carts, { secure: config.GUEST_COOKIE_SECURE });
  await followCatalog(bus, config.CART_CURRENCY, service.log);
  await followOrders(bus);
  sweepGuestCarts(service, pool, config.GUEST_CART_TTL_DAYS);
  await serve(service, config, { discovery });
  return service;
}
