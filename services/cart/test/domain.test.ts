import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cartIdOf, identifyCaller } from '../src/domain/owner.ts';
import { priceCart } from '../src/domain/pricing.ts';
import { addToLine, MAX_LINE_QUANTITY, mergeLines } from '../src/domain/quantity.ts';

const GUEST_A = '0b8f6a3e-4c1d-4e2f-9a7b-1c2d3e4f5a6b';
const GUEST_B = '7d1e2f3a-5b6c-4d7e-8f9a-0b1c2d3e4f5a';
const FRESH = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const fresh = () => FRESH;

test('owner - a caller with neither token nor guest id is issued a new guest id', () => {
  assert.deepEqual(identifyCaller({}, fresh), {
    owner: { kind: 'guest', id: FRESH },
    mergeFrom: [],
    issuedGuestId: FRESH,
    clearCookie: false,
  });
});

test('owner - a guest is found by header first, then cookie; a malformed cookie is ignored', () => {
  const both = identifyCaller({ headerGuestId: GUEST_A, cookieGuestId: GUEST_B }, fresh);
  assert.deepEqual(both.owner, { kind: 'guest', id: GUEST_A });
  assert.equal(both.issuedGuestId, undefined);
  assert.deepEqual(identifyCaller({ cookieGuestId: GUEST_B }, fresh).owner, { kind: 'guest', id: GUEST_B });
  const forged = identifyCaller({ cookieGuestId: "x'; DROP TABLE carts" }, fresh);
  assert.deepEqual(forged.owner, { kind: 'guest', id: FRESH });
  assert.equal(forged.issuedGuestId, FRESH);
});

test('owner - a signed-in caller with guest ids merges each once and clears the cookie', () => {
  const caller = identifyCaller(
    { subject: 'user-1', headerGuestId: GUEST_A, cookieGuestId: GUEST_A.toUpperCase() },
    fresh,
  );
  assert.deepEqual(caller, {
    owner: { kind: 'user', id: 'user-1' },
    mergeFrom: [GUEST_A],
    clearCookie: true,
  });
  const two = identifyCaller({ subject: 'user-1', headerGuestId: GUEST_B, cookieGuestId: GUEST_A }, fresh);
  assert.deepEqual(two.mergeFrom, [GUEST_A, GUEST_B], 'sorted, so concurrent merges lock in one order');
  const plain = identifyCaller({ subject: 'user-1' }, fresh);
  assert.deepEqual(plain, { owner: { kind: 'user', id: 'user-1' }, mergeFrom: [], clearCookie: false });
});

test('owner - a cart id is a stable uuid per owner, different for a user and a guest of the same id', () => {
  const user = cartIdOf({ kind: 'user', id: GUEST_A });
  assert.match(user, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(user, cartIdOf({ kind: 'user', id: GUEST_A }));
  assert.notEqual(user, cartIdOf({ kind: 'guest', id: GUEST_A }));
});

test('quantity - adding to a line sums up to 99 and refuses beyond, saying how much room is left', () => {
  assert.deepEqual(addToLine(0, 1), { ok: true, quantity: 1 });
  assert.deepEqual(addToLine(40, 59), { ok: true, quantity: MAX_LINE_QUANTITY });
  assert.deepEqual(addToLine(40, 60), { ok: false, current: 40, room: 59 });
  assert.deepEqual(addToLine(99, 1), { ok: false, current: 99, room: 0 });
});

test('quantity - merging a guest cart sums shared lines, caps them at 99 and keeps new ones', () => {
  const user = [
    { productId: 'p1', quantity: 2 },
    { productId: 'p2', quantity: 90 },
  ];
  const guest = [
    { productId: 'p2', quantity: 30 },
    { productId: 'p3', quantity: 4 },
    { productId: 'p1', quantity: 1 },
  ];
  assert.deepEqual(mergeLines(user, guest), [
    { productId: 'p2', quantity: 99 },
    { productId: 'p3', quantity: 4 },
    { productId: 'p1', quantity: 3 },
  ]);
  assert.deepEqual(mergeLines(user, []), []);
});

test('pricing - line totals and subtotal are integer minor units at the current unit price', () => {
  const cart = priceCart(
    {
      id: FRESH,
      owner: { kind: 'user', id: 'user-1' },
      updatedAt: new Date('2025-01-02T03:04:05.000Z'),
      lines: [
        {
          productId: 'p1',
          sku: 'A-1',
          name: 'Tea',
          quantity: 3,
          unitPrice: { amount: 1_999, currency: 'USD' },
        },
        { productId: 'p2', sku: 'B-2', name: 'Cup', quantity: 1, unitPrice: { amount: 5, currency: 'USD' } },
      ],
    },
    'USD',
  );
  assert.deepEqual(
    cart.items.map((item) => item.lineTotal),
    [
      { amount: 5_997, currency: 'USD' },
      { amount: 5, currency: 'USD' },
    ],
  );
  assert.deepEqual(cart.subtotal, { amount: 6_002, currency: 'USD' });
  assert.equal(cart.itemCount, 4);
  assert.equal(cart.updatedAt, '2025-01-02T03:04:05.000Z');
});

test('pricing - an empty cart costs zero in the shop currency; a line in another currency is refused', () => {
  const empty = priceCart(
    { id: FRESH, owner: { kind: 'guest', id: GUEST_A }, updatedAt: new Date(), lines: [] },
    'EUR',
  );
  assert.deepEqual(empty.subtotal, { amount: 0, currency: 'EUR' });
  assert.equal(empty.itemCount, 0);
  assert.throws(() =>
    priceCart(
      {
        id: FRESH,
        owner: { kind: 'guest', id: GUEST_A },
        updatedAt: new Date(),
        lines: [
          { productId: 'p1', sku: 'A', name: 'A', quantity: 1, unitPrice: { amount: 1, currency: 'USD' } },
        ],
      },
      'EUR',
    ),
  );
});
