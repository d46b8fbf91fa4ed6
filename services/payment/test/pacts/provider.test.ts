// Payment against every pact that names it (its consumers' *.consumer.pact.ts): the
// real service on a throwaway database (its simulated card processor with it), each
// provider state putting exactly the payment its interaction reads in place. Its
// consumers: the order (a card turned into a payment method, or refused, with a
// service token) and the gateway (an order's payment, with the customer's own token,
// for the order details).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '@platform/chassis';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { verifyHttpPacts } from '@platform/testkit/pact';
import type pg from 'pg';
import { PaymentConfig } from '../../src/config.ts';
import { startPayment } from '../../src/service.ts';

/** The customer the gateway's requests come from here: its token is this user's. */
const CUSTOMER = '9c4e2a1b-7d3f-4e5a-8b6c-0d1e2f3a4b5c';

let payment: ServiceUnderTest;
let pool: pg.Pool;

before(async () => {
  payment = await startServiceUnderTest('payment_provider_pacts', (env) =>
    startPayment(
      loadConfig(PaymentConfig, {
        ...env,
        PAYMENT_PROCESSOR_SECRET: 'payment-pact-secret-0123456789',
        PAYMENT_PROCESSOR_LATENCY_MS: '0',
      }),
    ),
  );
  pool = testPool(payment.database.url);
});
after(async () => {
  await pool.end();
  await payment.close();
});

interface OrderState {
  orderId: string;
  paymentId?: string;
}

/** The order has no payment (nor anything recorded against one). */
async function noPayment(orderId: string): Promise<void> {
  const owned = 'SELECT id FROM payments WHERE order_id = $1';
  await pool.query(`DELETE FROM ledger WHERE payment_id IN (${owned})`, [orderId]);
  await pool.query(`DELETE FROM refunds WHERE payment_id IN (${owned})`, [orderId]);
  await pool.query('DELETE FROM payments WHERE order_id = $1', [orderId]);
}

/** The customer's order holds 12.50 on a Visa card: authorized, with its ledger entry. */
async function authorizedPayment(params: unknown): Promise<void> {
  const { orderId, paymentId } = params as OrderState;
  await noPayment(orderId);
  await pool.query(
    `INSERT INTO payments (id, order_id, user_id, status, currency, authorized, brand, last4)
     VALUES ($1, $2, $3, 'AUTHORIZED', 'USD', 1250, 'visa', '4242')`,
    [paymentId, orderId, CUSTOMER],
  );
  await pool.query(`INSERT INTO ledger (payment_id, kind, amount) VALUES ($1, 'authorize', 1250)`, [
    paymentId,
  ]);
}

test('payment keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'payment',
    baseUrl: payment.base,
    // The order tokenizes cards as a service; the gateway passes on the customer's own token.
    tokenFor: (consumer) =>
      consumer === 'gateway'
        ? payment.issuer.token(['customer'], CUSTOMER)
        : payment.issuer.token(['service'], `service:${consumer}`),
    states: {
      "a customer's order with a payment": async (params: unknown) => authorizedPayment(params),
      "a customer's order with no payment": async (params: unknown) =>
        noPayment((params as OrderState).orderId),
    },
  });
  assert.deepEqual(consumers.toSorted(), ['gateway', 'order']);
});
