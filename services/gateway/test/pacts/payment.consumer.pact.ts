// What the gateway asks of payment for the order details it composes (details.ts): the
// order's payment, asked with the customer's own token, passed on as the first of
// payment's list, or null when the order has none yet. The order and shipping are the
// stand-in's here. Payment's verification replays this pact.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import type { TestFlags } from '@platform/testkit';
import { consumerPact } from '@platform/testkit/pact';
import { detailsThroughGateway, wholeDetails } from './edge.ts';

const { eachLike, integer, like, regex, uuid } = MatchersV3;
const ORDER_ID = '0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5b';
const PAYMENT_ID = '3f2b8c1e-6d4a-4e5b-9c7d-1a2b3c4d5e6f';
const pact = consumerPact('gateway', 'payment');
const asTheCustomer = {
  accept: 'application/json',
  authorization: regex(/^Bearer .+$/, 'Bearer a-customers-token'),
};
const STATUSES = /^(AUTHORIZED|DECLINED|FAILED|CAPTURED|VOIDED|PARTIALLY_REFUNDED|REFUNDED)$/;

/** The order service's answer for the order, and shipping's empty list (the stand-ins). */
const orderAndShipping = (request: IncomingMessage) =>
  request.url?.startsWith('/api/v1/orders/') ? { id: ORDER_ID, status: 'CONFIRMED' } : { data: [] };

const details = (paymentUrl: string) =>
  detailsThroughGateway(
    { PAYMENT_URL: paymentUrl },
    ['ORDER_URL', 'SHIPPING_URL'],
    orderAndShipping,
    ORDER_ID,
  );

let flags: TestFlags;
before(async () => {
  flags = await wholeDetails();
});
after(() => flags.close());

test("the order details carry the order's payment", async () => {
  await pact
    .addInteraction()
    .given("a customer's order with a payment", { orderId: ORDER_ID, paymentId: PAYMENT_ID })
    .uponReceiving("an order's payment read by the gateway for the order details")
    .withRequest('GET', '/api/v1/payments', (request) =>
      request.headers(asTheCustomer).query({ orderId: ORDER_ID }),
    )
    .willRespondWith(200, (response) =>
      response.jsonBody({
        data: eachLike({
          id: uuid(PAYMENT_ID),
          orderId: uuid(ORDER_ID),
          status: regex(STATUSES, 'AUTHORIZED'),
          authorized: integer(1250),
          currency: regex(/^[A-Z]{3}$/, 'USD'),
          card: { brand: like('visa'), last4: regex(/^[0-9]{4}$/, '4242') },
        }),
      }),
    )
    .executeTest(async (server) => {
      const answer = await details(server.url);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.order?.id, ORDER_ID);
      assert.equal(answer.body.payment?.id, PAYMENT_ID);
      assert.equal(answer.body.payment?.status, 'AUTHORIZED');
      assert.deepEqual(answer.body.warnings, []);
    });
});

test('the order details of an order not paid yet have no payment, and no warning', async () => {
  await pact
    .addInteraction()
    .given("a customer's order with no payment", { orderId: ORDER_ID })
    .uponReceiving('the payment of an order not paid yet, read by the gateway for the order details')
    .withRequest('GET', '/api/v1/payments', (request) =>
      request.headers(asTheCustomer).query({ orderId: ORDER_ID }),
    )
    .willRespondWith(200, (response) => response.jsonBody({ data: [] }))
    .executeTest(async (server) => {
      const answer = await details(server.url);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.payment, null);
      assert.deepEqual(answer.body.warnings, []);
    });
});
