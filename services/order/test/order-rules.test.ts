// The order's own rules, without I/O: the step catalogue both saga styles read, the
// parcel's news, the facts the platform hears, and what a saga awaits and until when.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventSchemas } from '@platform/contracts';
import { Value } from 'typebox/value';
import { factOf } from '../src/domain/choreography.ts';
import { dueIn } from '../src/domain/decision.ts';
import { factsOf } from '../src/domain/facts.ts';
import {
  evolve,
  fold,
  type Order,
  type OrderEvent,
  type OrderPlacedData,
  parcelNews,
  withHeldNews,
} from '../src/domain/order.ts';
import {
  type Awaiting,
  cancelRequested,
  nextAwaiting,
  sagaDeadline,
  startSaga,
  stepFailed,
  stepSucceeded,
  stepWaiting,
} from '../src/domain/saga.ts';
import {
  ANSWER_TYPES,
  answerOf,
  BEFORE_PIVOT,
  commandFor,
  FORWARD,
  isAfterPivot,
  isCompensation,
  STEPS,
  type Step,
} from '../src/domain/steps.ts';
import { placed } from './fixtures.ts';

const at = '2026-01-01T00:00:00.000Z';
const now = new Date(at);
const ORDER_ID = '00000000-0000-4000-8000-000000000001';
const PRODUCT_ID = '00000000-0000-4000-8000-000000000002';

function orderOf(sagaMode: 'orchestration' | 'choreography', ...events: OrderEvent[]): Order {
  const { event: opening } = placed(at, sagaMode);
  assert.equal(opening.type, 'OrderPlaced');
  const withLine = {
    at,
    event: {
      type: 'OrderPlaced' as const,
      data: {
        ...(opening.data as OrderPlacedData),
        items: [
          {
            productId: PRODUCT_ID,
            sku: 'S',
            name: 'n',
            quantity: 2,
            unitPrice: { amount: 500, currency: 'USD' },
            weightGrams: 300,
          },
        ],
      },
    },
  };
  const order = fold(ORDER_ID, [withLine, ...events.map((event) => ({ event, at }))]);
  assert.ok(order);
  return order;
}

describe('the step catalogue', () => {
  test('steps - every command the saga sends carries data its contract accepts', () => {
    const order = orderOf('orchestration');
    for (const step of Object.keys(STEPS) as Step[]) {
      const command = commandFor(step, { order, reason: 'card_declined', reservationExpiresAt: at });
      assert.equal(command.type, STEPS[step].command);
      assert.ok(
        Value.Check(eventSchemas[command.type], command.data),
        `${step}: ${JSON.stringify(command.data)}`,
      );
    }
    assert.deepEqual(commandFor('reserve-stock', { order, reason: '-', reservationExpiresAt: at }).data, {
      orderId: ORDER_ID,
      lines: [{ productId: PRODUCT_ID, quantity: 2 }],
      expiresAt: at,
    });
  });

  test('steps - each step before the pivot has an undo and a failure status; after it, neither; each undo answers to a compensation', () => {
    assert.deepEqual(BEFORE_PIVOT, ['reserve-stock', 'authorize-payment', 'schedule-shipment']);
    for (const step of FORWARD) {
      const { undoneBy, failsAs } = STEPS[step];
      if (isAfterPivot(step)) {
        assert.equal(undoneBy, undefined, step);
        assert.equal(failsAs, undefined, step);
      } else {
        assert.ok(undoneBy && isCompensation(undoneBy), step);
        assert.ok(failsAs, step);
      }
    }
    assert.deepEqual(
      FORWARD.map((step) => STEPS[step].failsAs ?? '-'),
      ['REJECTED', 'REJECTED', 'CANCELLED', '-', '-'],
    );
  });

  test('steps - an answer is read for its step whichever style hears it; anything else answers none', () => {
    assert.equal(new Set(ANSWER_TYPES).size, ANSWER_TYPES.length, 'each message answers one step');
    assert.deepEqual(answerOf('shipping.scheduled', { trackingNumber: 'TRK1' }, now), {
      step: 'schedule-shipment',
      said: 'done',
      detail: 'TRK1',
      reason: 'failed',
    });
    assert.equal(
      answerOf('payment.failed', { code: 'card_declined', reason: 'Declined' }, now)?.reason,
      'card_declined',
    );
    assert.deepEqual(answerOf('inventory.stock.waiting', { until: '2030-01-01T00:00:00.000Z' }, now), {
      step: 'reserve-stock',
      said: 'waiting',
      reason: 'failed',
      until: '2030-01-01T00:00:00.000Z',
    });
    assert.equal(answerOf('payment.refunded', {}, now)?.note, 'refunded');
    assert.equal(answerOf('order.created', {}, now), undefined);
    assert.equal(answerOf('shipping.shipped', {}, now), undefined, 'tracking news answers no step');
  });

  test('steps - choreography reads the answers as facts: a refused shipment cancel, and how a payment was undone', () => {
    const read = (type: string, data = {}) => {
      const answer = answerOf(type, data, now);
      assert.ok(answer, type);
      return factOf(answer);
    };
    assert.deepEqual(read('shipping.cancel-refused', { reason: 'already shipped' }), {
      kind: 'cancel-refused',
      reason: 'already shipped',
    });
    assert.deepEqual(read('payment.voided'), { kind: 'succeeded', step: 'cancel-payment', detail: 'voided' });
    assert.deepEqual(read('inventory.stock.reservation-failed', { reason: 'insufficient stock' }), {
      kind: 'failed',
      step: 'reserve-stock',
      reason: 'insufficient stock',
    });
  });
});

describe('the parcel', () => {
  const confirmed = orderOf('orchestration', { type: 'OrderConfirmed', data: {} });

  test('parcel - shipped once confirmed (with its tracking number), delivered once shipped', () => {
    const shipped = parcelNews(confirmed, { kind: 'shipped', trackingNumber: 'TRK2' });
    assert.deepEqual(shipped, [{ type: 'OrderShipped', data: { trackingNumber: 'TRK2' } }]);
    const afterShipped = orderOf(
      'orchestration',
      { type: 'OrderConfirmed', data: {} },
      ...(shipped as OrderEvent[]),
    );
    assert.equal(afterShipped.status, 'SHIPPED');
    assert.deepEqual(parcelNews(afterShipped, { kind: 'delivered' }), [{ type: 'OrderDelivered', data: {} }]);
    // The delivered news may overtake the shipped one.
    assert.deepEqual(parcelNews(confirmed, { kind: 'delivered' }), [{ type: 'OrderDelivered', data: {} }]);
  });

  test('parcel - news before the order is confirmed is kept once and recorded in the move that confirms it; news for an order past it or undone records nothing', () => {
    const early = { kind: 'shipped', trackingNumber: 'TRK3' } as const;
    for (const status of ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED'] as const) {
      assert.deepEqual(
        parcelNews({ ...confirmed, status }, early),
        [{ type: 'ParcelNewsHeard', data: early }],
        status,
      );
    }
    const held = orderOf('orchestration', { type: 'ParcelNewsHeard', data: early });
    assert.equal(held.status, 'PENDING', 'kept news changes no status');
    assert.deepEqual(parcelNews(held, early), [], 'heard again: kept once');
    const both = orderOf(
      'orchestration',
      { type: 'ParcelNewsHeard', data: early },
      { type: 'ParcelNewsHeard', data: { kind: 'delivered' } },
    );
    const confirming: OrderEvent[] = [
      { type: 'StepSucceeded', data: { step: 'capture-payment' } },
      { type: 'OrderConfirmed', data: {} },
    ];
    assert.deepEqual(withHeldNews(both, confirming), [
      ...confirming,
      { type: 'OrderShipped', data: { trackingNumber: 'TRK3' } },
      { type: 'OrderDelivered', data: {} },
    ]);
    const rejecting: OrderEvent[] = [{ type: 'OrderRejected', data: { reason: 'declined' } }];
    assert.deepEqual(
      withHeldNews(both, rejecting),
      rejecting,
      'an order that is not confirmed records none of it',
    );
    assert.deepEqual(withHeldNews(held, []), []);
    for (const status of ['SHIPPED', 'DELIVERED', 'CANCELLED', 'REJECTED'] as const) {
      assert.deepEqual(parcelNews({ ...confirmed, status }, { kind: 'shipped' }), [], status);
    }
    for (const status of ['DELIVERED', 'CANCELLED', 'REJECTED'] as const) {
      assert.deepEqual(parcelNews({ ...confirmed, status }, { kind: 'delivered' }), [], status);
    }
  });
});

describe('facts', () => {
  test('facts - a placed order is announced with its lines, totals and the time it was recorded', () => {
    const order = orderOf('orchestration');
    const [created, ...rest] = factsOf(order, [{ type: 'OrderPlaced', data: order }]);
    assert.deepEqual(rest, []);
    assert.equal(created?.type, 'order.created');
    assert.ok(created && Value.Check(eventSchemas['order.created'], created.data));
    assert.equal(created?.type === 'order.created' && created.data.placedAt, at);
  });

  test('facts - the final statuses and the parcel are told; steps are not; choreography adds what it announces', () => {
    const order = orderOf('choreography');
    const events: OrderEvent[] = [
      { type: 'StepSucceeded', data: { step: 'reserve-stock' } },
      { type: 'StepTimedOut', data: { step: 'authorize-payment' } },
      { type: 'OrderRejected', data: { reason: 'authorize-payment timed out' } },
      { type: 'OrderShipped', data: { trackingNumber: 'T' } },
    ];
    const after = events.reduce<Order | undefined>((o, event) => evolve(o, { event, at }, ORDER_ID), order);
    assert.ok(after);
    const facts = factsOf(after, events, { type: 'order.timed-out', step: 'authorize-payment' });
    assert.deepEqual(
      facts.map((fact) => fact.type),
      ['order.rejected', 'order.shipped', 'order.timed-out'],
    );
    for (const fact of facts) assert.ok(Value.Check(eventSchemas[fact.type], fact.data), fact.type);
  });
});

describe('deadlines', () => {
  test('saga - a step in flight keeps its command and deadline while nothing is sent; once nothing is awaited, neither is kept', () => {
    const asked: Awaiting = { command: 'r1', earlier: [] };
    const start = startSaga();
    assert.equal(sagaDeadline(start), 'restart');
    // A cancel while the reserve is in flight waits for its answer: the same command, the same deadline.
    const cancel = cancelRequested(start.saga, 'no');
    if (cancel === 'too-late') throw new Error('a cancel in flight should be accepted');
    assert.deepEqual(nextAwaiting(asked, cancel, []), asked);
    assert.equal(sagaDeadline(cancel), 'keep');
    // In line for stock: the same command, due when inventory promised to answer.
    const waiting = stepWaiting(start.saga, 'reserve-stock', '2030-01-01T00:15:00.000Z');
    assert.deepEqual(sagaDeadline(waiting), { until: '2030-01-01T00:15:00.000Z' });
    // Rejected once the payment asked beside the reserve is voided: nothing awaited, no deadline.
    const voiding = stepFailed(start.saga, 'reserve-stock', 'out of stock');
    const rejected = stepSucceeded(voiding.saga, 'cancel-payment');
    assert.equal(rejected.events.at(-1)?.type, 'OrderRejected');
    assert.deepEqual(nextAwaiting(asked, rejected, []), { command: null, earlier: [] });
    assert.equal(sagaDeadline(rejected), 'clear');
  });

  test('deadline - a fresh step timeout, none, unchanged, or a step timeout after the promised time', () => {
    const t = Date.parse(at);
    assert.equal(dueIn('restart', 1_000, t), 1_000);
    assert.equal(dueIn('clear', 1_000, t), null);
    assert.equal(dueIn('keep', 1_000, t), 'keep');
    assert.equal(dueIn({ until: new Date(t + 5_000).toISOString() }, 1_000, t), 6_000);
    assert.equal(
      dueIn({ until: new Date(t - 5_000).toISOString() }, 1_000, t),
      1_000,
      'a promise already past',
    );
  });
});
