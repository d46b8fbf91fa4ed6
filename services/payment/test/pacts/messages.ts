// Payment as its message pacts' consumer: the real payment service (its simulated card
// processor) in each saga mode on throwaway databases (orchestration runs
// `payment-commands`, the saga's commands; choreography `payment-choreography`, the
// checkout's facts). Capturing needs an authorized payment, so a case may authorize one
// first through the service itself.
import { randomUUID } from 'node:crypto';
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventData } from '@platform/contracts';
import { eventually, startServiceUnderTest, testPool } from '@platform/testkit';
import {
  type Consumer,
  consumerPacts,
  type ExampleOptions,
  type Instance,
  type MessageCase,
  messageExample,
} from '@platform/testkit/pact';
import { PaymentConfig } from '../../src/config.ts';
import { startPayment } from '../../src/service.ts';

interface Payments {
  /** Authorizes a payment for `orderId` as this instance's group would be asked to. */
  authorize(orderId: string): Promise<void>;
}

export type Case = MessageCase<Payments>;

/** A fresh order id for a case, so that cases about one order's life do not meet. */
export const anOrder = (): ExampleOptions => ({ with: { orderId: MatchersV3.uuid(randomUUID()) } });

/** A case's `prepare`: the message's order has an authorized payment first (capturing needs one). */
export const afterAuthorizing: Case['prepare'] = (content, payments) =>
  payments.authorize(content.orderId as string);

function payments({ key: mode, service, feed }: Instance): Payments & { close(): Promise<void> } {
  const pool = testPool(service.database.url, 1);

  /** A card that the simulated processor approves, as the shop's payment methods route keeps it. */
  async function approvingCard(): Promise<string> {
    const response = await fetch(`${service.base}/internal/payment-methods`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await service.issuer.token(['service'])}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ cardNumber: '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' }),
    });
    if (response.status !== 201) throw new Error(`payment method: ${response.status}`);
    return ((await response.json()) as { id: string }).id;
  }

  return {
    async authorize(orderId) {
      const paymentMethodId = await approvingCard();
      const amount = { amount: 5_000, currency: 'USD' };
      if (mode === 'orchestration') {
        const data = { orderId, userId: randomUUID(), paymentMethodId, amount };
        await feed('payment-commands', 'payment.authorize', data, { command: true });
      } else {
        const created = MatchersV3.reify(
          messageExample('order.created'),
        ) as unknown as EventData<'order.created'>;
        const totals = { ...created.totals, total: amount.amount, currency: amount.currency };
        await feed('payment-choreography', 'order.created', { ...created, orderId, paymentMethodId, totals });
      }
      await eventually(async () => {
        const { rows } = await pool.query(
          `SELECT 1 FROM payments WHERE order_id = $1 AND status = 'AUTHORIZED'`,
          [orderId],
        );
        return rows.length === 1;
      });
    },
    close: () => pool.end(),
  };
}

const payment: Consumer<Payments> = {
  service: 'payment',
  instanceOf: { 'payment-commands': 'orchestration', 'payment-choreography': 'choreography' },
  start: (mode, label) =>
    startServiceUnderTest(label, (env, issuer) =>
      startPayment(
        loadConfig(PaymentConfig, {
          ...env,
          SAGA_MODE: mode,
          PAYMENT_PROCESSOR_SECRET: 'payment-pact-secret-0123456789',
          PAYMENT_PROCESSOR_LATENCY_MS: '2',
        }),
        { discovery: staticDiscovery({}), tokens: { token: () => issuer.token(['service']) } },
      ),
    ),
  helpers: payments,
};

/** One pact test per case: `producer`'s message delivered to the instance that runs its group. */
export function paymentHears(producer: string, cases: Case[]): void {
  consumerPacts(payment, producer, cases);
}
