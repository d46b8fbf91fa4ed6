// Starts the cart as the other services would see it: its own database, a real bus
// database shared with a saga probe (which publishes catalog and order events), a
// test token issuer, and a small fake catalog over real HTTP.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { loadConfig, type Service, staticDiscovery } from '@platform/chassis';
import type { cart, commerce } from '@platform/contracts';
import {
  createTestDatabase,
  type SagaProbe,
  startSagaProbe,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testPool,
} from '@platform/testkit';
import type pg from 'pg';
import type { Static } from 'typebox';
import { CartConfig } from '../src/config.ts';
import { startCart } from '../src/service.ts';

export interface FakeProduct {
  id: string;
  sku: string;
  name: string;
  price: { amount: number; currency: string };
  version: number;
}

export interface FakeCatalog {
  url: string;
  /** Products the catalog answers with; anything else is a 404. */
  products: Map<string, FakeProduct>;
  /** While set, every lookup answers this status (503: the catalog is down). */
  failWith: number | undefined;
  lookups: number;
  add(fields?: Partial<FakeProduct>): FakeProduct;
  close(): Promise<void>;
}

async function startFakeCatalog(): Promise<FakeCatalog> {
  const server = createServer((request, response) => {
    catalog.lookups += 1;
    const id = /^\/api\/v1\/products\/([^/?]+)$/.exec(request.url ?? '')?.[1] ?? '';
    // Like the catalog's uuid column: any letter case finds the product.
    const product = catalog.products.get(id.toLowerCase());
    const status = catalog.failWith ?? (product ? 200 : 404);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(status === 200 ? { ...product, description: '', category: 'home' } : {}));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const catalog: FakeCatalog = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    products: new Map(),
    failWith: undefined,
    lookups: 0,
    add(fields = {}) {
      const id = fields.id ?? randomUUID();
      const product: FakeProduct = {
        id,
        sku: `SKU-${id.slice(0, 8).toUpperCase()}`,
        name: `Product ${id.slice(0, 4)}`,
        price: { amount: 1_000, currency: 'USD' },
        version: 1,
        ...fields,
      };
      catalog.products.set(id, product);
      return product;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return catalog;
}

export interface CallOptions {
  token?: string;
  guestId?: string;
  cookie?: string;
  body?: unknown;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Harness {
  base: string;
  issuer: TestIssuer;
  catalog: FakeCatalog;
  probe: SagaProbe;
  service: Service;
  call<T = cart.Cart>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  /** A signed-in shopper's token (subject `userId`). */
  userToken(userId: string): Promise<string>;
  /** Resolves once the cart has handled (committed) the event `eventId` in `group`. */
  handled(group: string, eventId: string): Promise<void>;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** Polls `check` until it is true, failing after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function startHarness(label: string): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase(`cart_${label}`);
  const busDatabase: TestDatabase = await createTestDatabase(`cart_${label}_bus`);
  const issuer = await startTestIssuer();
  const catalog = await startFakeCatalog();
  const config = loadConfig(CartConfig, {
    DATABASE_URL: database.url,
    BUS_DATABASE_URL: busDatabase.url,
    IDENTITY_JWKS_URL: issuer.jwksUrl,
    LOG_LEVEL: 'silent',
  });
  const service = await startCart(config, {
    discovery: staticDiscovery({ catalog: [catalog.url] }),
    tokens: { token: () => issuer.token(['service']) },
  });
  const probe = await startSagaProbe(busDatabase.url, ['cart.checked-out']);
  const base = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
  const db = testPool(database.url);
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await db.query<R>(sql, params)).rows;

  return {
    base,
    issuer,
    catalog,
    probe,
    service,
    query,
    userToken: (userId) => issuer.token(['customer'], userId),
    async call<T>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
      const headers: Record<string, string> = {};
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      if (options.guestId !== undefined) headers['x-guest-id'] = options.guestId;
      if (options.cookie !== undefined) headers.cookie = options.cookie;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as T };
    },
    handled: (group, eventId) =>
      eventually(
        async () =>
          (await query('SELECT 1 FROM inbox WHERE group_name = $1 AND event_id = $2', [group, eventId]))
            .length > 0,
        `${group} to handle ${eventId}`,
      ),
    async close() {
      await probe.close();
      await service.shutdown('test over');
      await db.end();
      await catalog.close();
      await issuer.close();
      await database.drop();
      await busDatabase.drop();
    },
  };
}

type OrderCreated = Static<typeof commerce.OrderCreated>;

/** An order.created as the order service publishes it. */
export function orderCreated(userId: string, fromCart: boolean | undefined): OrderCreated {
  return {
    orderId: randomUUID(),
    userId,
    items: [
      {
        productId: randomUUID(),
        sku: 'SKU-1',
        name: 'Thing',
        quantity: 1,
        unitPrice: { amount: 1_000, currency: 'USD' },
        weightGrams: 100,
      },
    ],
    totals: { subtotal: 1_000, tax: 0, shipping: 0, total: 1_000, currency: 'USD' },
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
    },
    paymentMethodId: 'pm_card_visa',
    ...(fromCart === undefined ? {} : { fromCart }),
    placedAt: new Date().toISOString(),
  };
}
