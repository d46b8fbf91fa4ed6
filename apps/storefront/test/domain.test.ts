import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkoutFields, readCheckout } from '../src/domain/checkout-form.ts';
import { accountProblem, checkoutProblem, orderOutcome, shortages } from '../src/domain/explain.ts';
import {
  formToken,
  formTokenMatches,
  isSessionId,
  needsRenewal,
  newSessionId,
  seal,
  sessionKey,
  sessionKeys,
  unseal,
} from '../src/domain/session-secrets.ts';
import { money, stockStatusOf, stockWords, timelineWords } from '../src/domain/words.ts';

const keys = sessionKeys('a secret of at least thirty-two characters');

test('storefront csrf - a form token belongs to its session and no other, and is checked in constant time', () => {
  const mine = newSessionId();
  const theirs = newSessionId();
  assert.ok(isSessionId(mine));
  assert.equal(formToken(keys, mine), formToken(keys, mine), 'the same on every page of the session');
  assert.ok(formTokenMatches(keys, mine, formToken(keys, mine)));
  assert.ok(!formTokenMatches(keys, mine, formToken(keys, theirs)), "another session's token");
  assert.ok(!formTokenMatches(keys, mine, undefined), 'no token');
  assert.ok(!formTokenMatches(keys, mine, ''), 'an empty token');
  const otherSecret = sessionKeys('another secret, also thirty-two characters long');
  assert.ok(!formTokenMatches(otherSecret, mine, formToken(keys, mine)), 'signed under another secret');
});

test('storefront sessions - only well-formed ids are looked up, and the row key is not the id', () => {
  assert.ok(!isSessionId(undefined));
  assert.ok(!isSessionId('short'));
  assert.ok(!isSessionId(`${newSessionId()}'; DROP TABLE sessions; --`));
  const id = newSessionId();
  assert.notEqual(sessionKey(id), id);
  assert.match(sessionKey(id), /^[0-9a-f]{64}$/);
});

test('storefront sessions - tokens are sealed at rest and open only for their own row', () => {
  // The secret is long enough that random base64 cannot hold it by chance ("r1" did, 1 run in 70).
  const secret = 'refresh-token-of-ada-lovelace';
  const tokens = `{"refreshToken":"${secret}"}`;
  const sealed = seal(keys, 'row-a', tokens);
  assert.ok(!sealed.includes(secret), 'not in the stored text');
  for (const part of sealed.split('.')) {
    assert.ok(!Buffer.from(part, 'base64url').toString('latin1').includes(secret), 'not in its bytes');
  }
  assert.equal(unseal(keys, 'row-a', sealed), tokens);
  assert.equal(unseal(keys, 'row-b', sealed), undefined, 'moved to another row');
  const [iv, tag, body] = sealed.split('.');
  // One character changed for another (never for itself: a body starting with 'A' got 'A').
  const altered = `${body?.startsWith('A') ? 'B' : 'A'}${body?.slice(1)}`;
  assert.notEqual(altered, body);
  assert.equal(unseal(keys, 'row-a', [iv, tag, altered].join('.')), undefined, 'altered');
  assert.equal(unseal(keys, 'row-a', 'garbage'), undefined);
});

test('storefront sessions - the access token is renewed 30 s before it expires', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  assert.ok(!needsRenewal(new Date('2026-12-03T10:01:00Z'), now));
  assert.ok(needsRenewal(new Date('2026-12-03T10:00:29Z'), now));
  assert.ok(needsRenewal(new Date('2026-12-03T09:59:00Z'), now));
});

test('storefront words - a declined card and an out-of-stock order are explained, never shown as codes', () => {
  const declined = orderOutcome('REJECTED', 'card_declined') ?? '';
  assert.match(declined, /card was declined/);
  assert.match(declined, /Nothing was charged/);
  assert.doesNotMatch(declined, /card_declined/);
  assert.match(orderOutcome('REJECTED', 'insufficient_funds') ?? '', /enough funds/);
  const soldOut = orderOutcome('REJECTED', 'insufficient stock') ?? '';
  assert.match(soldOut, /sold out/);
  assert.match(soldOut, /Nothing was charged/);
  assert.match(orderOutcome('REJECTED', 'no stock came free in time') ?? '', /sold out/);
  assert.match(orderOutcome('CANCELLED', 'cancelled by the customer') ?? '', /You cancelled this order/);
  assert.match(orderOutcome('CANCELLED', 'authorize-payment timed out') ?? '', /took too long/);
  assert.match(orderOutcome('REJECTED', 'something new') ?? '', /could not be completed/);
  assert.equal(orderOutcome('CONFIRMED', undefined), undefined, 'nothing to explain');
});

test('storefront words - lines the shelf cannot fill are named with what is left', () => {
  assert.deepEqual(
    shortages([
      { name: 'Blue Mug', quantity: 3, available: 2 },
      { name: 'Red Kettle', quantity: 1, available: 0 },
      { name: 'Tea', quantity: 1, available: 9 },
      { name: 'Unknown', quantity: 4, available: null },
    ]),
    [
      'Only 2 of Blue Mug are left, and your cart has 3. Lower the quantity to check out.',
      'Red Kettle is sold out. Remove it from your cart to check out.',
    ],
  );
});

test("storefront words - the platform's checkout and sign-in refusals in words", () => {
  assert.equal(
    checkoutProblem('CARD_REJECTED', 'The card number fails its check digit'),
    'The card was not accepted: the card number fails its check digit. Nothing was charged.',
  );
  assert.match(checkoutProblem('PRICE_CHANGED', undefined), /prices changed/);
  assert.match(checkoutProblem('BAD_GATEWAY', 'catalog could not be reached'), /Nothing was charged/);
  assert.doesNotMatch(checkoutProblem('BAD_GATEWAY', 'catalog could not be reached'), /catalog/);
  assert.equal(
    accountProblem('PASSWORD_REJECTED', 'The password must be at least 10 characters'),
    'Choose another password: it must be at least 10 characters.',
  );
  assert.match(accountProblem('INVALID_CREDENTIALS', 'Wrong email or password'), /do not match/);
});

test('storefront checkout - the form becomes an order, or says what to correct', () => {
  const fields = checkoutFields({
    name: ' Ada ',
    line1: '1 Main St',
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
    cardNumber: '4242 4242 4242 4242',
    expiry: '12/35',
    cvc: '123',
  });
  assert.deepEqual(readCheckout(fields), {
    ok: true,
    order: {
      shippingAddress: {
        name: 'Ada',
        line1: '1 Main St',
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      },
      payment: { cardNumber: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' },
    },
  });
  const wrong = readCheckout(
    checkoutFields({ cardNumber: '42', expiry: '13/35', cvc: 'x', country: 'Germany' }),
  );
  assert.equal(wrong.ok, false);
  if (!wrong.ok) {
    assert.deepEqual(
      Object.keys(wrong.errors).sort(),
      ['city', 'cardNumber', 'country', 'cvc', 'expiry', 'line1', 'name', 'postalCode'].sort(),
    );
    assert.equal(wrong.errors.expiry, 'Enter the expiry date as MM/YY.');
  }
});

test('storefront words - money, stock and the timeline as a shopper reads them', () => {
  assert.equal(money({ amount: 129_900, currency: 'USD' }), '$1,299.00');
  assert.equal(money({ amount: 500, currency: 'JPY' }), '¥500');
  assert.equal(stockStatusOf(null), 'unknown');
  assert.equal(stockStatusOf(0), 'out-of-stock');
  assert.equal(stockStatusOf(5), 'low');
  assert.equal(stockStatusOf(6), 'in-stock');
  assert.equal(stockWords('low', 3), 'Only 3 left');
  assert.equal(stockWords('unknown', null), 'Availability unknown just now');
  assert.equal(timelineWords('reserve-stock', 'succeeded'), 'Reserving the items: done');
  assert.equal(timelineWords('place-order', 'placed'), 'Order received');
  assert.equal(
    timelineWords('shipment', 'shipped-early'),
    'Parcel: on its way before the order was confirmed',
  );
  assert.equal(
    timelineWords('shipment', 'delivered-early'),
    'Parcel: delivered before the order was confirmed',
  );
});

test('storefront words - an order refused for want of stock names what the shelf has now', () => {
  assert.deepEqual(
    shortages(
      [
        { name: 'Blue Mug', quantity: 3, available: 1 },
        { name: 'Red Kettle', quantity: 1, available: 0 },
      ],
      'order',
    ),
    ['Only 1 of Blue Mug is left; the order asked for 3.', 'Red Kettle is sold out.'],
  );
});
