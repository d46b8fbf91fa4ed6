import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answerForExisting,
  commitEffect,
  ORDER_CANCELLED,
  type ReservationState,
  releaseEffect,
} from '../src/domain/reservation.ts';
import {
  combineLines,
  lowStockCrossings,
  moveLine,
  type StockCount,
  shortagesFor,
  standingOf,
} from '../src/domain/stock.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

const counts = (...list: StockCount[]) => new Map(list.map((count) => [count.productId, count]));

test('stock - lines naming a product twice are combined, in product-id (lock) order', () => {
  assert.deepEqual(
    combineLines([
      { productId: B, quantity: 1 },
      { productId: A, quantity: 2 },
      { productId: B, quantity: 3 },
    ]),
    [
      { productId: A, quantity: 2 },
      { productId: B, quantity: 4 },
    ],
  );
});

test('stock - shortages list every line not covered; an unknown product has 0 available', () => {
  const shortages = shortagesFor(
    [
      { productId: A, quantity: 2 },
      { productId: B, quantity: 5 },
      { productId: C, quantity: 1 },
    ],
    counts({ productId: A, onHand: 10, reserved: 8 }, { productId: B, onHand: 6, reserved: 2 }),
  );
  assert.deepEqual(shortages, [
    { productId: B, requested: 5, available: 4 },
    { productId: C, requested: 1, available: 0 },
  ]);
});

test('stock - low stock alerts on the downward crossing only', () => {
  const before = counts(
    { productId: A, onHand: 10, reserved: 4 }, // 6 → 4: crosses 5
    { productId: B, onHand: 10, reserved: 6 }, // 4 → 3: was already low
    { productId: C, onHand: 10, reserved: 0 }, // 10 → 5: still at the threshold
  );
  const after = [
    { productId: A, onHand: 10, reserved: 6 },
    { productId: B, onHand: 10, reserved: 7 },
    { productId: C, onHand: 10, reserved: 5 },
  ];
  assert.deepEqual(lowStockCrossings(before, after, 5), [{ productId: A, available: 4, threshold: 5 }]);
});

test('stock - a new order is reserved if it fits, waits if the shelf holds it but others hold the units, refused otherwise', () => {
  const shelf = counts({ productId: A, onHand: 10, reserved: 8 }, { productId: B, onHand: 3, reserved: 3 });
  const standing = (...lines: Array<[string, number]>) =>
    standingOf(
      lines.map(([productId, quantity]) => ({ productId, quantity })),
      shelf,
    );
  assert.equal(standing([A, 2]), 'reserve');
  // Held, not sold: an order that fails gives its units back, so the buyer waits for them.
  assert.equal(standing([A, 3]), 'wait');
  assert.equal(standing([A, 1], [B, 1]), 'wait');
  // More than the shelf holds: no release can ever cover it.
  assert.equal(standing([B, 4]), 'refuse');
  assert.equal(standing([A, 1], [C, 1]), 'refuse');
});

test('stock - the line moves in arrival order: served while units last, refused once the shelf cannot cover them', () => {
  const waiter = (orderId: string, quantity: number, productId = A) => ({
    orderId,
    lines: [{ productId, quantity }],
  });
  // Two units came free (10 on hand, 8 held): the first two in line that fit get them.
  const freed = moveLine(
    [waiter('first', 1), waiter('big', 5), waiter('second', 1), waiter('third', 1)],
    counts({ productId: A, onHand: 10, reserved: 8 }),
  );
  assert.deepEqual(
    freed.served.map((w) => w.orderId),
    ['first', 'second'],
  );
  assert.deepEqual(freed.refused, []);
  // Units were sold (3 left on the shelf, all held): whoever needs more than 3 is refused.
  const sold = moveLine(
    [waiter('big', 5), waiter('small', 1)],
    counts({ productId: A, onHand: 3, reserved: 3 }),
  );
  assert.deepEqual(sold.served, []);
  assert.deepEqual(sold.refused, [
    { orderId: 'big', shortages: [{ productId: A, requested: 5, available: 0 }] },
  ]);
  // A waiter for two products takes both or neither.
  const both = moveLine(
    [
      {
        orderId: 'pair',
        lines: [
          { productId: A, quantity: 1 },
          { productId: B, quantity: 1 },
        ],
      },
    ],
    counts({ productId: A, onHand: 2, reserved: 1 }, { productId: B, onHand: 1, reserved: 1 }),
  );
  assert.deepEqual(both, { served: [], refused: [] });
});

const state = (status: ReservationState['status']): ReservationState => ({
  orderId: A,
  status,
  lines: [{ productId: B, quantity: 1 }],
  shortages: status === 'REJECTED' ? [{ productId: B, requested: 1, available: 0 }] : [],
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  reason: status === 'REJECTED' ? 'insufficient stock' : null,
});

test('reservation - a repeated reserve gets the first outcome; a cancelled order is refused', () => {
  assert.deepEqual(answerForExisting(state('RESERVED')), {
    outcome: 'reserved',
    orderId: A,
    lines: [{ productId: B, quantity: 1 }],
    expiresAt: '2030-01-01T00:00:00.000Z',
  });
  assert.equal(answerForExisting(state('COMMITTED')).outcome, 'reserved');
  assert.deepEqual(answerForExisting(state('WAITING')), {
    outcome: 'waiting',
    orderId: A,
    lines: [{ productId: B, quantity: 1 }],
    until: '2030-01-01T00:00:00.000Z',
  });
  assert.deepEqual(answerForExisting(state('REJECTED')), {
    outcome: 'refused',
    orderId: A,
    reason: 'insufficient stock',
    shortages: [{ productId: B, requested: 1, available: 0 }],
  });
  const cancelled = answerForExisting(state('RELEASED'));
  assert.equal(cancelled.outcome === 'refused' && cancelled.reason, ORDER_CANCELLED);
  assert.equal(answerForExisting(state('EXPIRED')).outcome, 'refused');
});

test('reservation - release unreserves, restocks after commit, takes a waiter out of line, and is a no-op otherwise', () => {
  assert.equal(releaseEffect('RESERVED'), 'unreserve');
  assert.equal(releaseEffect('COMMITTED'), 'restock');
  assert.equal(releaseEffect('WAITING'), 'leave-line');
  for (const status of ['RELEASED', 'EXPIRED', 'REJECTED'] as const)
    assert.equal(releaseEffect(status), 'none');
});

test('reservation - commit takes reserved stock, retakes after expiry, refuses cancelled or unknown orders', () => {
  assert.equal(commitEffect('RESERVED'), 'take-reserved');
  assert.equal(commitEffect('EXPIRED'), 'take-again');
  assert.equal(commitEffect('COMMITTED'), 'none');
  assert.equal(commitEffect('RELEASED'), 'refuse');
  assert.equal(commitEffect('REJECTED'), 'refuse');
  assert.equal(commitEffect('WAITING'), 'refuse', 'an order still in line holds nothing to ship');
  assert.equal(commitEffect(undefined), 'refuse');
});
