// What the order asks of payment at checkout (peer-calls.ts `paymentMethod`): the
// card turned into a payment method (201), whose id the saga authorizes and whose
// brand and last four digits the order keeps. A card payment refuses (422, a problem
// document) is the order's CARD_REJECTED with payment's own detail. Payment's
// verification replays this pact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { consumerPact } from '@platform/testkit/pact';
import { paymentMethod } from '../../src/peer-calls.ts';
import { asOrder, authorized } from './as-order.ts';

const { like, regex } = MatchersV3;
const pact = consumerPact('order', 'payment');
const CARD = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };
/** Fails its check digit: payment refuses it whatever day it is. */
const BAD_NUMBER = { ...CARD, cardNumber: '4242424242424241' };

const tokenize = (url: string, card: typeof CARD) =>
  asOrder({ payment: url }, (peers) => paymentMethod(peers, card));

test('the order turns the card into a payment method', async () => {
  await pact
    .addInteraction()
    .uponReceiving('a card turned into a payment method by the order')
    .withRequest('POST', '/internal/payment-methods', (request) => request.headers(authorized).jsonBody(CARD))
    .willRespondWith(201, (response) =>
      response.jsonBody({
        id: like('pm_sealed-token'),
        brand: like('visa'),
        last4: regex(/^[0-9]{4}$/, '4242'),
      }),
    )
    .executeTest(async (server) => {
      assert.deepEqual(await tokenize(server.url, CARD), {
        id: 'pm_sealed-token',
        brand: 'visa',
        last4: '4242',
      });
    });
});

test("the order passes on payment's refusal of a card as CARD_REJECTED, with payment's detail", async () => {
  await pact
    .addInteraction()
    .uponReceiving('a card whose number fails its check digit, sent by the order')
    .withRequest('POST', '/internal/payment-methods', (request) =>
      request.headers(authorized).jsonBody(BAD_NUMBER),
    )
    .willRespondWith(422, (response) =>
      response
        .headers({
          'Content-Type': regex(
            /^application\/problem\+json(;.*)?$/,
            'application/problem+json; charset=utf-8',
          ),
        })
        .jsonBody({ detail: like('The card number fails its check digit') }),
    )
    .executeTest(async (server) => {
      await assert.rejects(tokenize(server.url, BAD_NUMBER), {
        code: 'CARD_REJECTED',
        message: 'The card number fails its check digit',
      });
    });
});
