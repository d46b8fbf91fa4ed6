// Payment as its message pacts' consumer: the real payment service (its simulated card
// processor) in each saga mode on throwaway databases (orchestration runs
// `payment-commands`, the saga's commands; choreography `payment-choreography`, the
// checkout's facts) and a delivery onto each one's real bus. Capturing needs an
// authorized payment, so a case may authorize one first through the service itself.
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import { eventually, startServiceUnderTest, testPool } from '@platform/testkit';
import {
  consumerPact,
  type ExampleOptions,
  eventsOf,
  type MessageDelivery,
  messageExample,
  startMessageDelivery,
} from '@platform/testkit/pact';
import { PaymentConfig } from '../../src/config.ts';
import { startPayment } from '../../src/service.ts';

type SagaMode = 'orchestration' | 'choreography';

const MODE_OF: Record<string, SagaMode> = {
  'payment-commands': 'orchestration',
  'payment-choreography': 'choreography',
};

export interface Case {
  group: string;
  type: EventType;
  /** What the group's handler needs of the message beyond the contract's required fields. */
  example?: ExampleOptions;
  /** The saga's command, sent rather than published. */
  command?: boolean;
  /** The message's order has an authorized payment first (capturing needs one). */
  authorizedFirst?: boolean;
}

/** A fresh order id for a case, so that cases about one order's life do not meet. */
export const anOrder = (): ExampleOptions => ({ with: { orderId: MatchersV3.uuid(randomUUID()) } });

async function startInMode(label: string, mode: SagaMode) {
  const service = await startServiceUnderTest(`${label}_${mode}`, (env, issuer) =>
    startPayment(
      loadConfig(PaymentConfig, {
        ...env,
        SAGA_MODE: mode,
        PAYMENT_PROCESSOR_SECRET: 'payment-pact-secret-0123456789',
        PAYMENT_PROCESSOR_LATENCY_MS: '2',
      }),
      { discovery: staticDiscovery({}), tokens: { token: () => issuer.token(['service']) } },
    ),
  );
  const delivery: MessageDelivery = await startMessageDelivery(service.busUrl, service.database.url);
  const pool = testPool(service.database.url, 1);
  const deliver = <T extends EventType>(group: string, type: T, data: EventData<T>, command = false) =>
    delivery.deliver(group, type, { contents: { content: data } }, { command });

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

  /** Authorizes a payment for `orderId` as this instance's group would be asked to. */
  async function authorize(orderId: string): Promise<void> {
    const paymentMethodId = await approvingCard();
    const amount = { amount: 5_000, currency: 'USD' };
    if (mode === 'orchestration') {
      const data = { orderId, userId: randomUUID(), paymentMethodId, amount };
      await deliver('payment-commands', 'payment.authorize', data, true);
    } else {
      const created = MatchersV3.reify(
        messageExample('order.created'),
      ) as unknown as EventData<'order.created'>;
      const totals = { ...created.totals, total: amount.amount, currency: amount.currency };
      await deliver('payment-choreography', 'order.created', {
        ...created,
        orderId,
        paymentMethodId,
        totals,
      });
    }
    await eventually(async () => {
      const { rows } = await pool.query(
        `SELECT 1 FROM payments WHERE order_id = $1 AND status = 'AUTHORIZED'`,
        [orderId],
      );
      return rows.length === 1;
    });
  }

  return {
    delivery,
    authorize,
    async close() {
      await delivery.close();
      await pool.end();
      await service.close();
    },
  };
}

/** One pact test per case: `producer`'s message delivered to the instance that runs its group. */
export function paymentHears(producer: string, cases: Case[]): void {
  const modes = new Set(cases.map((each) => MODE_OF[each.group]));
  const started: Partial<Record<SagaMode, Awaited<ReturnType<typeof startInMode>>>> = {};
  before(async () => {
    for (const mode of modes) if (mode) started[mode] = await startInMode(`payment_${producer}_pacts`, mode);
  });
  after(async () => {
    for (const instance of Object.values(started)) await instance.close();
  });
  for (const { group, type, example, command = false, authorizedFirst = false } of cases) {
    test(`${group} handles ${type}`, async () => {
      const mode = MODE_OF[group];
      const instance = mode && started[mode];
      if (!instance) throw new Error(`payment runs no group ${group}`);
      await consumerPact(group, eventsOf(producer))
        .addAsynchronousInteraction()
        .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type, example)))
        .executeTest(async (message) => {
          const { orderId } = message.contents.content as { orderId: string };
          if (authorizedFirst) await instance.authorize(orderId);
          await instance.delivery.deliver(group, type, message, { command });
        });
    });
  }
}
