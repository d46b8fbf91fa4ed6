// What the storefront asks of the gateway's composed routes, through its real gateway
// client (gateway.ts) and page readers (composed.ts, order-routes.ts): the home page,
// as a guest and signed in; a product's page, and the 404 it shows as no such product;
// an order's details, and the 404 it shows as no such order of the shopper's. The
// gateway's plain proxying is not a pact of its own: its upstreams' pacts hold it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { createHttpClient } from '@platform/chassis';
import { CONSUMER_TOKEN, consumerPact } from '@platform/testkit/pact';
import { homePage, productPage } from '../../src/composed.ts';
import { Gateway } from '../../src/gateway.ts';
import { orderDetails } from '../../src/order-routes.ts';
import { CATEGORY, details, home, ORDER_ID, PRODUCT_ID, productPage as page } from './composed-bodies.ts';

const { integer, like, reify, regex } = MatchersV3;
const pact = consumerPact('storefront', 'gateway');
const authorized = { authorization: regex(/^Bearer .+$/, `Bearer ${CONSUMER_TOKEN}`) };
const shopper = { token: CONSUMER_TOKEN };
const MISSING = '00000000-0000-4000-8000-000000000000';
const shop = { productId: PRODUCT_ID, category: CATEGORY };

const http = createHttpClient({ timeoutMs: 5_000 });
after(() => http.close());
const gatewayAt = (url: string) => new Gateway({ url, http, timeoutMs: 5_000 });

/** The part of Pact's response builder used here (its type is not exported). */
interface ResponseBuilder {
  jsonBody(body: unknown): ResponseBuilder;
  headers(headers: Record<string, unknown>): ResponseBuilder;
}

/** A 404 problem (RFC 9457): the storefront reads its status, and its code for its log. */
const notFound = (code: string) => (response: ResponseBuilder) =>
  response
    .jsonBody({ code: like(code), status: 404, title: like('Not found') })
    .headers({ 'content-type': regex(/^application\/problem\+json(;.*)?$/, 'application/problem+json') });

test("a guest's home page", async () => {
  await pact
    .addInteraction()
    .given('the shop shows a product', shop)
    .uponReceiving('the home page asked for by the storefront for a guest')
    .withRequest('GET', '/api/v1/storefront/home')
    .willRespondWith(200, (response) => response.jsonBody(home(null)))
    .executeTest(async (server) => {
      assert.deepEqual(await homePage(gatewayAt(server.url), {}), reify(home(null)));
    });
});

test("a signed-in shopper's home page, with their cart's count", async () => {
  const body = home({ itemCount: integer(2) });
  await pact
    .addInteraction()
    .given('the shop shows a product', shop)
    .given("the shopper's cart holds items", { itemCount: 2 })
    .uponReceiving('the home page asked for by the storefront for a signed-in shopper')
    .withRequest('GET', '/api/v1/storefront/home', (request) => request.headers(authorized))
    .willRespondWith(200, (response) => response.jsonBody(body))
    .executeTest(async (server) => {
      assert.deepEqual(await homePage(gatewayAt(server.url), shopper), reify(body));
    });
});

test("a product's page", async () => {
  await pact
    .addInteraction()
    .given('the shop shows a product', shop)
    .uponReceiving("a product's page asked for by the storefront")
    .withRequest('GET', `/api/v1/storefront/products/${PRODUCT_ID}`)
    .willRespondWith(200, (response) => response.jsonBody(page))
    .executeTest(async (server) => {
      assert.deepEqual(await productPage(gatewayAt(server.url), {}, PRODUCT_ID), reify(page));
    });
});

test('no page for a product the shop does not have', async () => {
  await pact
    .addInteraction()
    .given('no product', { productId: MISSING })
    .uponReceiving('the page of a product the shop does not have asked for by the storefront')
    .withRequest('GET', `/api/v1/storefront/products/${MISSING}`)
    .willRespondWith(404, notFound('PRODUCT_NOT_FOUND'))
    .executeTest(async (server) => {
      assert.equal(await productPage(gatewayAt(server.url), {}, MISSING), undefined);
    });
});

test("a shopper's order with its payment and shipment", async () => {
  await pact
    .addInteraction()
    .given('an order of the shopper with its payment and shipment', { orderId: ORDER_ID })
    .uponReceiving("an order's details asked for by the storefront for its shopper")
    .withRequest('GET', `/api/v1/orders/${ORDER_ID}/details`, (request) => request.headers(authorized))
    .willRespondWith(200, (response) => response.jsonBody(details))
    .executeTest(async (server) => {
      assert.deepEqual(await orderDetails(gatewayAt(server.url), shopper, ORDER_ID), reify(details));
    });
});

test('no order page for an order that is not the shopper’s', async () => {
  await pact
    .addInteraction()
    .given('no order', { orderId: MISSING })
    .uponReceiving('the details of an order the shopper does not have asked for by the storefront')
    .withRequest('GET', `/api/v1/orders/${MISSING}/details`, (request) => request.headers(authorized))
    .willRespondWith(404, notFound('ORDER_NOT_FOUND'))
    .executeTest(async (server) => {
      assert.equal(await orderDetails(gatewayAt(server.url), shopper, MISSING), undefined);
    });
});
