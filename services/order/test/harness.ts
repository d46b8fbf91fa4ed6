// The order service as its peers see it, for its own I/O tests: its own database and a
// real bus database, a real catalog (its own database), a saga probe on the same bus
// standing in for the participants (it hears commands and facts, and answers), and a
// small stand-in over real HTTP for the cart, shipping quotes and payment methods.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { type Envelope, loadConfig, type Service, staticDiscovery } from '@platform/chassis';
import type { cart, EventData, EventType, orders } from '@platform/contracts';
import {
  createTestDatabase,
  eventually,
  type SagaProbe,
  startSagaProbe,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testPool,
} from '@platform/testkit';
import pg from 'pg';
import { CatalogConfig } from '../../catalog/src/config.ts';
import { startCatalog } from '../../catalog/src/service.ts';
import { OrderConfig } from '../src/config.ts';
import { startOrder } from '../src/service.ts';

/** Everything the order service says or asks on the bus. */
const HEARD: EventType[] = [
  'inventory.reserve-stock',
  'inventory.release-stock',
  'inventory.commit-stock',
  'payment.authorize',
  'payment.capture',
  'payment.cancel',
  'shipping.schedule-shipment',
  'shipping.cancel-shipment',
  'order.created',
  'order.confirmed',
  'order.rejected',
  'order.cancelled',
  'order.shipped',
  'order.delivered',
  'order.timed-out',
  'order.cancel-requested',
];

export const ADDRESS = {
  name: 'Ada',
  line1: '1 Main Street',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};
export const CARD = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
/** A country the stand-in shipping service does not serve. */
export const NOWHERE = 'AQ';
/** A card the stand-in payment service refuses to turn into a payment method. */
export const EXPIRED_CARD = { ...CARD, cardNumber: '4000000000000069' };

export interface Stock {
  id: string;
  price: number;
}

/** The cart, shipping and payment services, as far as placing an order asks them. */
interface Peers {
  url: string;
  carts: Map<string, cart.CartItem[]>;
  /** Requests each route was asked, e.g. `POST /api/v1/shipping/quotes`. */
  asked: Map<string, number>;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

async function startPeers(): Promise<Peers> {
  const carts = new Map<string, cart.CartItem[]>();
  const asked = new Map<string, number>();
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const path = (request.url ?? '').replace(/\/internal\/carts\/.*/, '/internal/carts/{userId}');
    asked.set(`${request.method} ${path}`, (asked.get(`${request.method} ${path}`) ?? 0) + 1);
    const answer = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (path === '/internal/carts/{userId}') {
      const userId = decodeURIComponent((request.url ?? '').split('/').at(-1) ?? '');
      return answer(200, { items: carts.get(userId) ?? [] });
    }
    if (path === '/api/v1/shipping/quotes') {
      if (body.country === NOWHERE) return answer(422, { detail: `We do not ship to ${NOWHERE}` });
      return answer(200, {
        price: { amount: 500, currency: body.currency },
        service: 'standard',
        estimatedDays: 3,
      });
    }
    if (path === '/internal/payment-methods') {
      if (body.cardNumber === EXPIRED_CARD.cardNumber) return answer(422, { detail: 'The card has expired' });
      return answer(201, {
        id: `pm_${String(body.cardNumber).slice(-4)}`,
        brand: 'visa',
        last4: String(body.cardNumber).slice(-4),
      });
    }
    answer(404, { detail: `no stand-in for ${request.method} ${path}` });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    carts,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Harness {
  base: string;
  issuer: TestIssuer;
  probe: SagaProbe;
  peers: Peers;
  catalog: Service;
  database: TestDatabase;
  /** A customer's token (the same customer throughout unless `subject` is given). */
  token(subject?: string): Promise<string>;
  /** Products in the real catalog with these prices (minor units, USD). */
  products(...prices: number[]): Promise<Stock[]>;
  place(
    body: unknown,
    options?: { key?: string; token?: string },
  ): Promise<{ status: number; headers: Headers; body: unknown }>;
  /** Places an order of one product from the explicit lines; its id. */
  placeOne(): Promise<string>;
  /** The order as the API shows it (asked as an administrator). */
  order(id: string): Promise<orders.Order>;
  /** The order once it has `status`. */
  reaches(id: string, status: orders.OrderStatus): Promise<orders.Order>;
  /** The customer cancels `id`. */
  cancel(id: string, reason: string): Promise<Response>;
  /** The command of `type` the saga sent for `orderId`, once the probe hears it. */
  command(type: EventType, orderId: string, after?: Envelope): Promise<Envelope>;
  sql<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** Stops the order service and starts it again on the same databases (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  label: string,
  env: Record<string, string> = {},
  /** Prepares the order's database before the service first starts on it (an older schema, its rows). */
  prepare?: (database: TestDatabase) => Promise<void>,
): Promise<Harness> {
  const database = await createTestDatabase(label);
  await prepare?.(database);
  const busDatabase = await createTestDatabase(`${label}_bus`);
  const catalogDatabase = await createTestDatabase(`${label}_catalog`);
  const issuer = await startTestIssuer();
  const common = {
    BUS_DATABASE_URL: busDatabase.url,
    IDENTITY_JWKS_URL: issuer.jwksUrl,
    LOG_LEVEL: 'silent',
  };
  const catalog = await startCatalog(
    loadConfig(CatalogConfig, { ...common, DATABASE_URL: catalogDatabase.url, CATALOG_SEED: 'false' }),
  );
  const catalogUrl = `http://127.0.0.1:${(catalog.app.server.address() as { port: number }).port}`;
  const peers = await startPeers();
  const probe = await startSagaProbe(busDatabase.url, HEARD);
  const catalogPool = testPool(catalogDatabase.url);
  await catalogPool.query(`INSERT INTO categories (id, name) VALUES ('home', 'Home')`);
  const pool = testPool(database.url);
  const start = () =>
    startOrder(loadConfig(OrderConfig, { ...common, DATABASE_URL: database.url, ...env }), {
      discovery: staticDiscovery({
        catalog: [catalogUrl],
        cart: [peers.url],
        shipping: [peers.url],
        payment: [peers.url],
      }),
      tokens: { token: () => issuer.token(['service']) },
    });
  let order = await start();
  const baseOf = (service: Service) =>
    `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
  const customer = crypto.randomUUID();
  const harness: Harness = {
    base: baseOf(order),
    issuer,
    probe,
    peers,
    catalog,
    database,
    token: (subject = customer) => issuer.token(['customer'], subject),
    async products(...prices) {
      const { rows } = await catalogPool.query<{ id: string; price: number }>(
        `INSERT INTO products (sku, name, price_amount, price_currency, category_id, attributes)
         SELECT 'SKU-' || upper(substr(md5(random()::text), 1, 10)), 'Product ' || p, p, 'USD', 'home', '{"weightGrams": 250}'
         FROM unnest($1::int[]) WITH ORDINALITY AS t(p, n) ORDER BY n
         RETURNING id, price_amount AS price`,
        [prices],
      );
      return rows;
    },
    async place(body, options = {}) {
      const response = await fetch(`${harness.base}/api/v1/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.token ?? (await harness.token())}`,
          'content-type': 'application/json',
          'idempotency-key': options.key ?? crypto.randomUUID(),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, headers: response.headers, body: await response.json() };
    },
    async placeOne() {
      const [product] = await harness.products(1_000);
      const items = [{ productId: product?.id, quantity: 1 }];
      const placed = await harness.place({ items, shippingAddress: ADDRESS, payment: CARD });
      if (placed.status !== 202) throw new Error(`placing: ${placed.status} ${JSON.stringify(placed.body)}`);
      return (placed.body as { id: string }).id;
    },
    reaches: (id, status) =>
      eventually(async () => {
        const order = await harness.order(id);
        return order.status === status ? order : undefined;
      }),
    async cancel(id, reason) {
      return fetch(`${harness.base}/api/v1/orders/${id}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await harness.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason }),
      });
    },
    async order(id) {
      const response = await fetch(`${harness.base}/api/v1/orders/${id}`, {
        headers: { authorization: `Bearer ${await issuer.token(['admin'])}` },
      });
      if (response.status !== 200) throw new Error(`GET order ${id}: ${response.status}`);
      return (await response.json()) as orders.Order;
    },
    command: (type, orderId, after) =>
      probe.next((event) => event.type === type && event.subject === orderId && event.id !== after?.id),
    async sql(text, params = []) {
      return (await pool.query(text, params)).rows;
    },
    async restart() {
      await order.shutdown('restart');
      order = await start();
      harness.base = baseOf(order);
    },
    async close() {
      await order.shutdown('test over');
      await probe.close();
      await catalog.shutdown('test over');
      await peers.close();
      await pool.end();
      await catalogPool.end();
      await issuer.close();
      for (const db of [database, busDatabase, catalogDatabase]) await db.drop();
    },
  };
  return harness;
}

/** A statement the order service sent to its database, and the connection it went on. */
export interface Sent {
  connection: number;
  text: string;
}

/**
 * The order service's transactions on `database` while `work` ran, each as the
 * statements it sent between BEGIN and COMMIT. A spy on the real driver: every
 * statement still reaches PostgreSQL.
 */
export async function transactionsDuring(
  database: TestDatabase,
  work: () => Promise<unknown>,
): Promise<string[][]> {
  const sent: Sent[] = [];
  const connections = new WeakMap<object, number>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (this.database === database.name) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
      if (!connections.has(this)) connections.set(this, sent.length + 1);
      sent.push({ connection: connections.get(this) ?? 0, text: text ?? '' });
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  const open = new Map<number, string[]>();
  const transactions: string[][] = [];
  for (const { connection, text } of sent) {
    if (text === 'BEGIN') open.set(connection, []);
    else if (text === 'COMMIT') {
      const statements = open.get(connection);
      if (statements) transactions.push(statements);
      open.delete(connection);
    } else open.get(connection)?.push(text);
  }
  return transactions;
}

type Said =
  | 'inventory.stock.reserved'
  | 'inventory.stock.reservation-failed'
  | 'inventory.stock.released'
  | 'inventory.stock.committed'
  | 'payment.authorized'
  | 'payment.failed'
  | 'payment.captured'
  | 'payment.voided'
  | 'shipping.scheduled'
  | 'shipping.cancelled'
  | 'shipping.shipped'
  | 'shipping.delivered';

const SHIPMENT = '00000000-0000-4000-8000-00000000005e';
const PAYMENT = '00000000-0000-4000-8000-00000000009a';

/** What a participant says about `orderId`, as its contract has it (a payment of 32.00, parcel TRK-1). */
export function saying<T extends Said>(type: T, orderId: string): EventData<T> {
  const at = new Date().toISOString();
  const money = { amount: 3_200, currency: 'USD' };
  const parcel = { orderId, shipmentId: SHIPMENT, trackingNumber: 'TRK-1', at };
  const data: { [S in Said]: EventData<S> } = {
    'inventory.stock.reserved': { orderId, lines: [], expiresAt: at },
    'inventory.stock.reservation-failed': { orderId, reason: 'insufficient stock', shortages: [] },
    'inventory.stock.released': { orderId, reason: 'compensation' },
    'inventory.stock.committed': { orderId },
    'payment.authorized': { orderId, paymentId: PAYMENT, amount: money },
    'payment.failed': { orderId, code: 'card_declined', reason: 'Your card was declined' },
    'payment.captured': { orderId, paymentId: PAYMENT, amount: money },
    'payment.voided': { orderId, paymentId: PAYMENT },
    'shipping.scheduled': parcel,
    'shipping.cancelled': { orderId, shipmentId: SHIPMENT },
    'shipping.shipped': parcel,
    'shipping.delivered': parcel,
  };
  return data[type];
}
