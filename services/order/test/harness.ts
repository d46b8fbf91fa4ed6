// The order service as its peers see it, for its own I/O tests: its own database and a
// real bus database, a real catalog (its own database), a saga probe on the same bus
// standing in for the participants (it hears commands and facts, and answers), and a
// small stand-in over real HTTP for the cart, shipping quotes and payment methods.
import { type Envelope, loadConfig, type Service, staticDiscovery } from '@platform/chassis';
import type { EventType, orders } from '@platform/contracts';
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
import type pg from 'pg';
import { CatalogConfig } from '../../catalog/src/config.ts';
import { startCatalog } from '../../catalog/src/service.ts';
import { OrderConfig } from '../src/config.ts';
import { startOrder } from '../src/service.ts';
import { ADDRESS, CARD, type Peers, saying, startPeers } from './peers.ts';

export { ADDRESS, CARD, EXPIRED_CARD, NOWHERE, saying } from './peers.ts';
export { transactionsDuring } from './statements.ts';

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

/** Each command the saga asks of a participant, and the answer that says it was done, in turn. */
const HAPPY_PATH = [
  ['inventory.reserve-stock', 'inventory.stock.reserved'],
  ['payment.authorize', 'payment.authorized'],
  ['shipping.schedule-shipment', 'shipping.scheduled'],
  ['payment.capture', 'payment.captured'],
  ['inventory.commit-stock', 'inventory.stock.committed'],
] as const satisfies ReadonlyArray<readonly [EventType, Parameters<typeof saying>[0]]>;

export interface Stock {
  id: string;
  price: number;
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
  /** Answers the saga's commands for `orderId` as every participant does when all goes well, until it is CONFIRMED. */
  confirm(orderId: string): Promise<orders.Order>;
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
      discovery: staticDiscovery(
        { catalog: [catalogUrl], cart: [peers.url], shipping: [peers.url], payment: [peers.url] },
        { shipping: [peers.grpcUrl] },
      ),
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
    async confirm(orderId) {
      for (const [command, reply] of HAPPY_PATH) {
        const asked = await harness.command(command, orderId);
        await probe.reply(asked, reply, saying(reply, orderId));
      }
      return harness.reaches(orderId, 'CONFIRMED');
    },
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
