import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Envelope, loadConfig, type Service, staticDiscovery } from '@platform/chassis';
import type { EventData, EventType, payments } from '@platform/contracts';
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
import { PaymentConfig } from '../src/config.ts';
import { createCardProcessor } from '../src/processor/processor.ts';
import { startPayment } from '../src/service.ts';
import { controlledProcessor, type ProcessorControl } from './processor-control.ts';

// One payment service on throwaway databases, a test token issuer, and a saga probe
// on the same bus, for the integration tests. Its card processor is the simulated one
// the service would build from the same settings, with a hand on it (`processor`).

export const PAYMENT_FACTS: EventType[] = [
  'payment.authorized',
  'payment.failed',
  'payment.captured',
  'payment.voided',
  'payment.refunded',
];

export const CARDS = {
  approves: '4242424242424242',
  declines: '4000000000000002',
  insufficientFunds: '4000000000009995',
  processingError: '4000000000000119',
  mastercard: '5555555555554444',
};

export interface Harness {
  base: string;
  probe: SagaProbe;
  issuer: TestIssuer;
  processor: ProcessorControl;
  /** The service's own database, for readers of their own (a message pact's check of the outbox). */
  databaseUrl: string;
  headers(roles: string[], subject?: string): Promise<Record<string, string>>;
  /** A payment method for `cardNumber`, from the service's own internal route. */
  paymentMethod(cardNumber: string): Promise<string>;
  /** The reply (or fact) the service sent for `command`. */
  replyTo(command: Envelope): Promise<Envelope>;
  sql<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** A connection of its own to the service's database, for a transaction a test holds open. */
  connect(): Promise<pg.PoolClient>;
  /** The ledger of the order's payment, oldest first: `authorize 5000`. */
  ledger(orderId: string): Promise<string[]>;
  /** The types the service published about the order, in order (the outbox is the record). */
  published(orderId: string): Promise<string[]>;
  /** Resolves once the service has handled the event (its inbox has it); what it published is in the outbox. */
  handled(eventId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase(label);
  const busDatabase: TestDatabase = await createTestDatabase(`${label}_bus`);
  const issuer = await startTestIssuer();
  const config = loadConfig(PaymentConfig, {
    DATABASE_URL: database.url,
    BUS_DATABASE_URL: busDatabase.url,
    IDENTITY_JWKS_URL: issuer.jwksUrl,
    PAYMENT_PROCESSOR_SECRET: 'payment-test-secret-0123456789',
    PAYMENT_PROCESSOR_LATENCY_MS: '2',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const { processor, control } = controlledProcessor(
    createCardProcessor({
      secret: config.PAYMENT_PROCESSOR_SECRET,
      latencyMs: config.PAYMENT_PROCESSOR_LATENCY_MS,
      failureRate: config.PAYMENT_PROCESSOR_FAILURE_RATE,
    }),
  );
  const service: Service = await startPayment(config, {
    discovery: staticDiscovery({}),
    tokens: { token: () => issuer.token(['service']) },
    processor,
  });
  const probe = await startSagaProbe(busDatabase.url, PAYMENT_FACTS);
  const pool = testPool(database.url);
  const base = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
  const headers = async (roles: string[], subject?: string) => ({
    authorization: `Bearer ${await issuer.token(roles, subject)}`,
    'content-type': 'application/json',
  });

  return {
    base,
    probe,
    issuer,
    processor: control,
    databaseUrl: database.url,
    headers,
    async paymentMethod(cardNumber) {
      const response = await fetch(`${base}/internal/payment-methods`, {
        method: 'POST',
        headers: await headers(['service']),
        body: JSON.stringify({ cardNumber, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' }),
      });
      assert.equal(response.status, 201);
      return ((await response.json()) as payments.PaymentMethod).id;
    },
    replyTo: (command) => probe.next((event) => event.causationid === command.id),
    async sql(text, params = []) {
      return (await pool.query(text, params)).rows;
    },
    connect: () => pool.connect(),
    async ledger(orderId) {
      const { rows } = await pool.query<{ kind: string; amount: number }>(
        `SELECT l.kind, l.amount FROM ledger l JOIN payments p ON p.id = l.payment_id
         WHERE p.order_id = $1 ORDER BY l.id`,
        [orderId],
      );
      return rows.map((row) => `${row.kind} ${row.amount}`);
    },
    async published(orderId) {
      const { rows } = await pool.query<{ type: string }>(
        `SELECT type FROM outbox WHERE envelope->>'subject' = $1 ORDER BY id`,
        [orderId],
      );
      return rows.map((row) => row.type);
    },
    async handled(eventId) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [eventId]);
        if (rows.length > 0) return;
        if (Date.now() > deadline) throw new Error(`event ${eventId} was not handled`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await probe.close();
      await service.shutdown('test over');
      await pool.end();
      await database.drop();
      await busDatabase.drop();
      await issuer.close();
    },
  };
}

/** A payment.authorize command's data for a new order. */
export function authorizeCommand(paymentMethodId: string, amount = 5_000, userId: string = randomUUID()) {
  return { orderId: randomUUID(), userId, paymentMethodId, amount: { amount, currency: 'USD' } };
}

/** An order.created fact (choreography) for one lamp, `total` in EUR. */
export function orderCreated(
  orderId: string,
  paymentMethodId: string,
  total: number,
): EventData<'order.created'> {
  return {
    orderId,
    userId: randomUUID(),
    items: [
      {
        productId: randomUUID(),
        sku: 'HOM-LAMP-01',
        name: 'Lamp',
        quantity: 1,
        unitPrice: { amount: total - 500, currency: 'EUR' },
        weightGrams: 900,
      },
    ],
    totals: { subtotal: total - 500, tax: 0, shipping: 500, total, currency: 'EUR' },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Paris', postalCode: '75001', country: 'FR' },
    paymentMethodId,
    placedAt: new Date().toISOString(),
  };
}

/** Every payment whose ledger does not add up to its balances (none, if the books balance). */
export async function unbalancedPayments(harness: Harness): Promise<unknown[]> {
  return harness.sql(
    `SELECT p.id, p.authorized, p.captured, p.refunded, l.authorize, l.capture, l.refund, r.refunds
     FROM payments p
     LEFT JOIN LATERAL (
       SELECT coalesce(sum(amount) FILTER (WHERE kind = 'authorize'), 0) AS authorize,
              coalesce(sum(amount) FILTER (WHERE kind = 'capture'), 0) AS capture,
              coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS refund
       FROM ledger WHERE payment_id = p.id) l ON true
     LEFT JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS refunds FROM refunds WHERE payment_id = p.id) r ON true
     WHERE p.authorized <> l.authorize OR p.captured <> l.capture OR p.refunded <> l.refund
        OR p.refunded <> r.refunds`,
  );
}
