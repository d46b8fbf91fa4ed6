// What the gateway asks of the order service when it composes an order's details
// (details.ts): the order, as the caller, whose answer it passes on whole (the fields
// below are those the storefront's order page reads from it), or the order service's
// own 404, status, type and body, when the order is not there or not the caller's.
// Payment and shipping are the tests' stand-ins, answering that they have nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import type { TestFlags } from '@platform/testkit';
import { consumerPact } from '@platform/testkit/pact';
import { detailsThroughGateway, wholeDetails } from './edge.ts';

const { eachLike, integer, like, regex, uuid } = MatchersV3;
const ORDER_ID = '0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5b';
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const STATUS = /^(PENDING|STOCK_RESERVED|PAYMENT_AUTHORIZED|CONFIRMED|SHIPPED|DELIVERED|REJECTED|CANCELLED)$/;
const pact = consumerPact('gateway', 'order');

let flags: TestFlags;
before(async () => {
  flags = await wholeDetails();
});
after(() => flags.close());
const authorized = { authorization: regex(/^Bearer .+$/, 'Bearer a-shopper-token') };
/** Payment and shipping (the stand-ins) have nothing for the order. */
const detailsOf = (url: string, id: string) =>
  detailsThroughGateway({ ORDER_URL: url }, ['PAYMENT_URL', 'SHIPPING_URL'], () => ({ data: [] }), id);

const order = {
  id: uuid(ORDER_ID),
  status: regex(STATUS, 'PENDING'),
  items: eachLike({
    productId: uuid('7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e'),
    name: like('Enamel mug'),
    quantity: integer(2),
    unitPrice: { amount: integer(1250), currency: regex(/^[A-Z]{3}$/, 'USD') },
  }),
  totals: {
    subtotal: integer(2500),
    shipping: integer(499),
    tax: integer(0),
    total: integer(2999),
    currency: regex(/^[A-Z]{3}$/, 'USD'),
  },
  shippingAddress: {
    name: like('Ada Lovelace'),
    line1: like('1 Analytical Way'),
    city: like('Berlin'),
    postalCode: like('10115'),
    country: regex(/^[A-Z]{2}$/, 'DE'),
  },
  card: { brand: like('visa'), last4: regex(/^\d{4}$/, '4242') },
  timeline: eachLike({
    at: regex(ISO_TIMESTAMP, '2026-12-03T10:00:00.000Z'),
    step: like('order'),
    outcome: like('placed'),
  }),
  createdAt: regex(ISO_TIMESTAMP, '2026-12-03T10:00:00.000Z'),
};

test("the gateway composes an order's details around the order", async () => {
  await pact
    .addInteraction()
    .given('an order of the shopper', { id: ORDER_ID })
    .uponReceiving('an order asked for by the gateway for its details, as the shopper')
    .withRequest('GET', `/api/v1/orders/${ORDER_ID}`, (request) => request.headers(authorized))
    .willRespondWith(200, (response) => response.jsonBody(order))
    .executeTest(async (server) => {
      const details = await detailsOf(server.url, ORDER_ID);
      assert.equal(details.status, 200);
      assert.deepEqual(details.body, {
        order: {
          id: ORDER_ID,
          status: 'PENDING',
          items: [
            {
              productId: '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d5e',
              name: 'Enamel mug',
              quantity: 2,
              unitPrice: { amount: 1250, currency: 'USD' },
            },
          ],
          totals: { subtotal: 2500, shipping: 499, tax: 0, total: 2999, currency: 'USD' },
          shippingAddress: {
            name: 'Ada Lovelace',
            line1: '1 Analytical Way',
            city: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          },
          card: { brand: 'visa', last4: '4242' },
          timeline: [{ at: '2026-12-03T10:00:00.000Z', step: 'order', outcome: 'placed' }],
          createdAt: '2026-12-03T10:00:00.000Z',
        },
        payment: null,
        shipment: null,
        warnings: [],
      });
    });
});

test("the gateway passes on the order service's 404 for an order that is not the shopper's", async () => {
  const missing = '00000000-0000-4000-8000-000000000000';
  await pact
    .addInteraction()
    .given('no order', { id: missing })
    .uponReceiving('an order the shopper does not have asked for by the gateway for its details')
    .withRequest('GET', `/api/v1/orders/${missing}`, (request) => request.headers(authorized))
    .willRespondWith(404, (response) =>
      response
        .jsonBody({ code: 'ORDER_NOT_FOUND', status: 404, title: like('Order not found') })
        .headers({ 'content-type': regex(/^application\/problem\+json(;.*)?$/, 'application/problem+json') }),
    )
    .executeTest(async (server) => {
      const details = await detailsOf(server.url, missing);
      assert.equal(details.status, 404);
      assert.match(details.contentType ?? '', /^application\/problem\+json/);
      assert.deepEqual(details.body, { code: 'ORDER_NOT_FOUND', status: 404, title: 'Order not found' });
    });
});
