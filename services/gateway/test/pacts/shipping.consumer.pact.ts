// What the gateway asks of shipping when it composes an order's details (details.ts):
// the order's shipments, as the caller; it shows the first (the storefront reads its
// tracking number and status), or none while the order has no shipment yet. The order
// and payment services are the tests' stand-ins.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import type { TestFlags } from '@platform/testkit';
import { consumerPact } from '@platform/testkit/pact';
import { detailsThroughGateway, wholeDetails } from './edge.ts';

const { eachLike, like, regex, uuid } = MatchersV3;
const ORDER_ID = '0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5c';
const SHIPMENT_ID = '4e1d2c3b-5a69-4788-9abc-def012345678';
const STATUS = /^(SCHEDULED|SHIPPED|IN_TRANSIT|DELIVERED|CANCELLED)$/;
const pact = consumerPact('gateway', 'shipping');

let flags: TestFlags;
before(async () => {
  flags = await wholeDetails();
});
after(() => flags.close());
const authorized = { authorization: regex(/^Bearer .+$/, 'Bearer a-shopper-token') };

/** The order service's stand-in has the order; payment's has no payment. */
const orderAndNoPayment = (request: IncomingMessage) =>
  request.url?.startsWith('/api/v1/orders/') ? { id: ORDER_ID, status: 'CONFIRMED' } : { data: [] };

const details = (url: string) =>
  detailsThroughGateway({ SHIPPING_URL: url }, ['ORDER_URL', 'PAYMENT_URL'], orderAndNoPayment, ORDER_ID);

test("the gateway shows an order's shipment in its details", async () => {
  await pact
    .addInteraction()
    .given('a shipment of an order of the shopper', { orderId: ORDER_ID })
    .uponReceiving("an order's shipments asked for by the gateway, as the shopper")
    .withRequest('GET', '/api/v1/shipments', (request) =>
      request.query({ orderId: ORDER_ID }).headers(authorized),
    )
    .willRespondWith(200, (response) =>
      response.jsonBody({
        data: eachLike({
          id: uuid(SHIPMENT_ID),
          orderId: ORDER_ID,
          status: regex(STATUS, 'SCHEDULED'),
          trackingNumber: like('TRK-0001'),
        }),
      }),
    )
    .executeTest(async (server) => {
      const { status, body } = await details(server.url);
      assert.equal(status, 200);
      assert.deepEqual(body.shipment, {
        id: SHIPMENT_ID,
        orderId: ORDER_ID,
        status: 'SCHEDULED',
        trackingNumber: 'TRK-0001',
      });
      assert.deepEqual(body.warnings, []);
    });
});

test('the gateway shows no shipment for an order that has none yet', async () => {
  await pact
    .addInteraction()
    .given('no shipment of an order', { orderId: ORDER_ID })
    .uponReceiving('the shipments of an order with none asked for by the gateway, as the shopper')
    .withRequest('GET', '/api/v1/shipments', (request) =>
      request.query({ orderId: ORDER_ID }).headers(authorized),
    )
    .willRespondWith(200, (response) => response.jsonBody({ data: [] }))
    .executeTest(async (server) => {
      const { status, body } = await details(server.url);
      assert.equal(status, 200);
      assert.equal(body.shipment, null);
      assert.deepEqual(body.warnings, []);
    });
});
