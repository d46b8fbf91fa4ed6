// The saga's decisions, without I/O: which events are recorded and which command goes next.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evolve, fold } from '../src/domain/order.ts';
import { orderTotals } from '../src/domain/pricing.ts';
import {
  type Awaiting,
  answersAwaited,
  awaitedSteps,
  cancelRequested,
  type Decision,
  nextAwaiting,
  type SagaState,
  sagaDeadline,
  startSaga,
  stepFailed,
  stepSucceeded,
  stepTimedOut,
  stepWaiting,
} from '../src/domain/saga.ts';
import { placed } from './fixtures.ts';

function run(from: Decision, ...moves: Array<(saga: SagaState) => Decision>) {
  const sent = [from.send, ...(from.alongside ?? [])];
  const events = [...from.events];
  let saga = from.saga;
  for (const move of moves) {
    const decision = move(saga);
    saga = decision.saga;
    events.push(...decision.events);
    sent.push(decision.send, ...(decision.alongside ?? []));
  }
  return { saga, events: events.map((event) => event.type), sent: sent.filter(Boolean) };
}
/** The saga just past its pivot: capture and commit asked together. */
const pastPivot = () =>
  run(startSaga(), ok('reserve-stock'), ok('authorize-payment'), ok('schedule-shipment'));
const ok = (step: Parameters<typeof stepSucceeded>[1]) => (saga: SagaState) => stepSucceeded(saga, step);

describe('saga rules', () => {
  test('saga - the happy path reserves, authorizes, schedules, captures, commits, then confirms', () => {
    const { saga, events, sent } = run(
      startSaga(),
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      ok('capture-payment'),
      ok('commit-stock'),
    );
    assert.deepEqual(sent, [
      'reserve-stock',
      'authorize-payment',
      'schedule-shipment',
      'capture-payment',
      'commit-stock',
    ]);
    assert.equal(events.at(-1), 'OrderConfirmed');
    assert.equal(saga.phase, 'confirmed');
    assert.deepEqual(saga.compensations, ['cancel-shipment', 'cancel-payment', 'release-stock']);
  });

  test('saga - stock and payment are asked together; the shipment is booked once both answered, in either order', () => {
    const start = startSaga();
    assert.equal(start.send, 'reserve-stock');
    assert.deepEqual(start.alongside, ['authorize-payment'], 'both asked in one move');
    assert.deepEqual(awaitedSteps(start.saga), ['reserve-stock', 'authorize-payment']);
    const none: Awaiting = { command: null, earlier: [] };
    const asked = nextAwaiting(none, start, ['r1', 'a1']);
    assert.equal(
      answersAwaited(asked, 'r1') && answersAwaited(asked, 'a1'),
      true,
      'an answer to either counts',
    );
    for (const [first, second] of [
      ['reserve-stock', 'authorize-payment'],
      ['authorize-payment', 'reserve-stock'],
    ] as const) {
      const one = stepSucceeded(start.saga, first);
      assert.equal(one.send, null, 'the other is still out');
      assert.deepEqual(awaitedSteps(one.saga), [second]);
      const both = stepSucceeded(one.saga, second);
      assert.equal(both.send, 'schedule-shipment');
      assert.equal(both.alongside?.length ?? 0, 0, 'the pivot is asked alone');
      assert.deepEqual(
        [...both.saga.compensations].sort(),
        ['cancel-payment', 'release-stock'],
        'both are undone if the shipment fails',
      );
    }
  });

  test('saga - past the pivot, capture and commit are asked together; the order is confirmed once both answered, in either order', () => {
    const past = pastPivot();
    assert.deepEqual(past.sent.slice(-2), ['capture-payment', 'commit-stock'], 'both asked in one move');
    assert.deepEqual(awaitedSteps(past.saga), ['capture-payment', 'commit-stock']);
    for (const [first, second] of [
      ['capture-payment', 'commit-stock'],
      ['commit-stock', 'capture-payment'],
    ] as const) {
      const one = stepSucceeded(past.saga, first);
      assert.equal(one.send, null, 'nothing more to ask');
      assert.deepEqual(
        one.events.map((event) => event.type),
        ['StepSucceeded'],
        'not confirmed on one answer',
      );
      assert.deepEqual(awaitedSteps(one.saga), [second]);
      const both = stepSucceeded(one.saga, second);
      assert.deepEqual(
        both.events.map((event) => event.type),
        ['StepSucceeded', 'OrderConfirmed'],
      );
      assert.equal(both.saga.phase, 'confirmed');
      assert.deepEqual(awaitedSteps(both.saga), []);
      assert.deepEqual(both.saga.compensations, ['cancel-shipment', 'cancel-payment', 'release-stock']);
    }
  });

  test('saga - a saga saved mid-way by the version that asked one step at a time carries on that way', () => {
    const past = pastPivot().saga;
    const { alongside: _asked, ...saved } = { ...past, step: 'capture-payment' as const };
    const next = stepSucceeded(saved, 'capture-payment');
    assert.equal(next.send, 'commit-stock');
    assert.equal(stepSucceeded(next.saga, 'commit-stock').saga.phase, 'confirmed');
    // Awaiting the reserve alone, as that version asked it: the authorization comes next.
    const { alongside: _none, ...reserving } = startSaga().saga;
    const reserved = stepSucceeded(reserving, 'reserve-stock');
    assert.equal(reserved.send, 'authorize-payment');
    assert.equal(stepSucceeded(reserved.saga, 'authorize-payment').send, 'schedule-shipment');
  });

  test('saga - a cancel while capture and commit are out waits for both, then undoes the order', () => {
    const decision = cancelRequested(pastPivot().saga, 'changed my mind');
    if (decision === 'too-late') throw new Error('a cancel in flight should be accepted');
    assert.equal(decision.send, null);
    const one = stepSucceeded(decision.saga, 'commit-stock');
    assert.equal(one.send, null, 'the capture is still out');
    const both = stepSucceeded(one.saga, 'capture-payment');
    assert.equal(both.send, 'cancel-shipment');
    assert.deepEqual(both.saga.outcome, { status: 'CANCELLED', reason: 'changed my mind' });
  });

  test('saga - past the pivot, silence asks again whatever is still out; an answer to any ask counts', () => {
    const past = pastPivot();
    const none: Awaiting = { command: null, earlier: [] };
    const asked = nextAwaiting(
      none,
      { saga: past.saga, events: [], send: 'capture-payment', alongside: ['commit-stock'] },
      ['cap1', 'com1'],
    );
    assert.deepEqual(asked, { command: 'cap1', earlier: ['com1'] });
    const silent = stepTimedOut(past.saga);
    assert.equal(silent.send, 'capture-payment');
    assert.deepEqual(silent.alongside, ['commit-stock']);
    const again = nextAwaiting(asked, silent, ['cap2', 'com2']);
    assert.deepEqual(again, { command: 'cap2', earlier: ['com1', 'cap1', 'com2'] });
    for (const id of ['cap1', 'com1', 'cap2', 'com2']) assert.equal(answersAwaited(again, id), true, id);
    // One answered: only the other is asked again.
    const one = stepSucceeded(silent.saga, 'capture-payment');
    const later = stepTimedOut(one.saga);
    assert.equal(later.send, 'commit-stock');
    assert.equal(later.alongside, undefined);
  });

  test('saga - a declined payment releases the stock and rejects the order', () => {
    const { saga, sent } = run(startSaga(), ok('reserve-stock'), (s) =>
      stepFailed(s, 'authorize-payment', 'card_declined'),
    );
    assert.deepEqual(sent, ['reserve-stock', 'authorize-payment', 'release-stock']);
    assert.equal(saga.phase, 'compensating');
    const done = stepSucceeded(saga, 'release-stock');
    assert.equal(done.events.at(-1)?.type, 'OrderRejected');
    assert.equal(done.saga.phase, 'done');
  });

  test('saga - a payment declined while the reserve is still out undoes the reserve at once, since it may happen', () => {
    const declined = stepFailed(startSaga().saga, 'authorize-payment', 'card_declined');
    assert.equal(declined.send, 'release-stock');
    assert.deepEqual(awaitedSteps(declined.saga), ['release-stock'], 'the reserve is no longer awaited');
    const done = stepSucceeded(declined.saga, 'release-stock');
    assert.deepEqual(done.saga.outcome, { status: 'REJECTED', reason: 'card_declined' });
    assert.equal(done.events.at(-1)?.type, 'OrderRejected');
  });

  test('saga - out of stock voids the payment, asked or authorized, and rejects the order', () => {
    const whileAsked = run(startSaga(), (s) => stepFailed(s, 'reserve-stock', 'out of stock'));
    assert.deepEqual(whileAsked.sent, ['reserve-stock', 'authorize-payment', 'cancel-payment']);
    assert.deepEqual(whileAsked.events, ['StepFailed']);
    const authorized = run(
      startSaga(),
      ok('authorize-payment'),
      (s) => stepFailed(s, 'reserve-stock', 'out of stock'),
      ok('cancel-payment'),
    );
    assert.deepEqual(authorized.sent, ['reserve-stock', 'authorize-payment', 'cancel-payment']);
    assert.deepEqual(authorized.events, ['StepSucceeded', 'StepFailed', 'StepSucceeded', 'OrderRejected']);
    assert.deepEqual(authorized.saga.outcome, { status: 'REJECTED', reason: 'out of stock' });
  });

  test('saga - a failed shipment voids the payment, releases the stock, and cancels', () => {
    const { sent, saga } = run(
      startSaga(),
      ok('reserve-stock'),
      ok('authorize-payment'),
      (s) => stepFailed(s, 'schedule-shipment', 'undeliverable'),
      ok('cancel-payment'),
      ok('release-stock'),
    );
    assert.deepEqual(sent.slice(3), ['cancel-payment', 'release-stock']);
    assert.deepEqual(saga.outcome, { status: 'CANCELLED', reason: 'undeliverable' });
  });

  test('saga - a silent step is undone too, since it may have happened late', () => {
    const { sent, saga } = run(startSaga(), ok('reserve-stock'), (s) => stepTimedOut(s));
    assert.deepEqual(sent, ['reserve-stock', 'authorize-payment', 'cancel-payment']);
    assert.deepEqual(saga.compensations, ['release-stock']);
    assert.equal(saga.outcome?.status, 'REJECTED');
    // Neither answered: both may have happened, both are undone, and each is on the timeline.
    const both = stepTimedOut(startSaga().saga);
    assert.deepEqual(
      both.events.map((event) => event.type === 'StepTimedOut' && event.data.step),
      ['reserve-stock', 'authorize-payment'],
    );
    assert.deepEqual([both.send, ...both.saga.compensations].sort(), ['cancel-payment', 'release-stock']);
    assert.equal(both.saga.outcome?.reason, 'reserve-stock timed out');
  });

  test('saga - after the pivot a silent step is asked again, never undone', () => {
    const { sent, saga } = run(
      startSaga(),
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      (s) => stepTimedOut(s),
    );
    assert.deepEqual(sent.slice(-4), ['capture-payment', 'commit-stock', 'capture-payment', 'commit-stock']);
    assert.equal(saga.phase, 'forward');
  });

  test('saga - a compensation that times out is sent again', () => {
    const { sent } = run(
      startSaga(),
      ok('reserve-stock'),
      (s) => stepFailed(s, 'authorize-payment', 'x'),
      (s) => stepTimedOut(s),
    );
    assert.deepEqual(sent.slice(-2), ['release-stock', 'release-stock']);
  });

  test('saga - an order in line for held stock keeps awaiting inventory, until its answer is due', () => {
    const until = '2030-01-01T00:15:00.000Z';
    const waiting = stepWaiting(startSaga().saga, 'reserve-stock', until);
    assert.deepEqual(
      waiting.events.map((event) => event.type),
      ['StepWaiting'],
    );
    assert.equal(waiting.send, null, 'nothing is asked again: inventory answers when the line moves');
    assert.deepEqual(waiting.wait, { until });
    assert.equal(waiting.saga.step, 'reserve-stock');
    // The payment's answer meanwhile keeps the wait (and its deadline); served, the shipment is asked.
    const paid = stepSucceeded(waiting.saga, 'authorize-payment');
    assert.equal(paid.send, null);
    assert.equal(paid.saga.waiting, true);
    assert.equal(sagaDeadline(paid), 'keep');
    const { sent } = run(paid, ok('reserve-stock'));
    assert.deepEqual(sent, ['schedule-shipment']);
    // Served before the payment answered: no longer in line, the payment still awaited.
    const served = stepSucceeded(waiting.saga, 'reserve-stock');
    assert.equal(served.saga.waiting, false);
    assert.deepEqual(awaitedSteps(served.saga), ['authorize-payment']);
    const refused = run(
      paid,
      (s) => stepFailed(s, 'reserve-stock', 'insufficient stock'),
      ok('cancel-payment'),
    );
    assert.deepEqual(refused.events.slice(-2), ['StepSucceeded', 'OrderRejected']);
    // A waiting answer to a step no longer awaited changes nothing.
    const moved = stepSucceeded(startSaga().saga, 'reserve-stock').saga;
    assert.deepEqual(stepWaiting(moved, 'reserve-stock', until), { saga: moved, events: [], send: null });
  });

  test('saga - a cancel while in line takes the order out of the line at once', () => {
    const waiting = stepWaiting(startSaga().saga, 'reserve-stock', '2030-01-01T00:15:00.000Z').saga;
    const decision = cancelRequested(waiting, 'changed my mind');
    if (decision === 'too-late') throw new Error('a cancel while waiting should be accepted');
    // The payment asked beside it may happen: undone too, without waiting for its answer.
    const undone = run(decision, ok('cancel-payment'), ok('release-stock'));
    assert.deepEqual(undone.sent, ['cancel-payment', 'release-stock']);
    assert.deepEqual(undone.saga.outcome, { status: 'CANCELLED', reason: 'changed my mind' });
    assert.equal(undone.events.at(-1), 'OrderCancelled');
    // And a cancel that came first is acted on as soon as inventory says the order waits.
    const first = cancelRequested(startSaga().saga, 'no');
    if (first === 'too-late') throw new Error('a cancel in flight should be accepted');
    const inLine = stepWaiting(first.saga, 'reserve-stock', '2030-01-01T00:15:00.000Z');
    assert.deepEqual([inLine.send, ...inLine.saga.compensations], ['cancel-payment', 'release-stock']);
  });

  test('saga - a step asked again takes the answer to any of its asks; a step given up on takes none', () => {
    const none: Awaiting = { command: null, earlier: [] };
    const confirmedAfterPivot = run(
      startSaga(),
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
    );
    const capture = nextAwaiting(
      none,
      { saga: confirmedAfterPivot.saga, events: [], send: 'capture-payment' },
      ['c1'],
    );
    assert.deepEqual(capture, { command: 'c1', earlier: [] });
    // Silent past its deadline: asked again. The first ask's answer, arriving after the
    // second ask went out, still answers the step (each would, late, forever otherwise).
    const again = stepTimedOut(confirmedAfterPivot.saga);
    assert.equal(again.again, true);
    const asked = nextAwaiting(capture, again, ['c2']);
    assert.deepEqual(asked, { command: 'c2', earlier: ['c1'] });
    assert.equal(answersAwaited(asked, 'c1'), true);
    assert.equal(answersAwaited(asked, 'c2'), true);
    assert.equal(answersAwaited(asked, 'c0'), false);
    assert.equal(answersAwaited(asked, undefined), false);
    // The next step starts afresh; waiting keeps what is awaited.
    const reserved = stepSucceeded(startSaga().saga, 'reserve-stock');
    assert.deepEqual(nextAwaiting(asked, reserved, []), asked, 'the payment still out keeps its ask');
    const next = nextAwaiting(asked, stepSucceeded(reserved.saga, 'authorize-payment'), ['c3']);
    assert.deepEqual(next, { command: 'c3', earlier: [] });
    const waiting = stepWaiting(startSaga().saga, 'reserve-stock', '2030-01-01T00:15:00.000Z');
    assert.deepEqual(nextAwaiting(next, waiting, []), next);
    // Before the pivot a silent step is undone, not asked again: its late answer is not taken.
    const undone = stepTimedOut(stepSucceeded(startSaga().saga, 'reserve-stock').saga);
    assert.equal(undone.again, undefined);
    assert.deepEqual(nextAwaiting({ command: 'a1', earlier: [] }, undone, ['r1']), {
      command: 'r1',
      earlier: [],
    });
  });

  test('saga - cancel after confirmation cancels the shipment, refunds and restocks', () => {
    const confirmed = run(
      startSaga(),
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      ok('capture-payment'),
      ok('commit-stock'),
    ).saga;
    const decision = cancelRequested(confirmed, 'changed my mind');
    assert.notEqual(decision, 'too-late');
    if (decision === 'too-late') return;
    assert.equal(decision.send, 'cancel-shipment');
    const { sent, saga } = run(decision, ok('cancel-shipment'), ok('cancel-payment'), ok('release-stock'));
    assert.deepEqual(sent, ['cancel-shipment', 'cancel-payment', 'release-stock']);
    assert.equal(saga.phase, 'done');
    assert.deepEqual(saga.outcome, { status: 'CANCELLED', reason: 'changed my mind' });
  });

  test('saga - a cancel while steps are in flight waits for their answers, then undoes them', () => {
    const first = startSaga();
    const decision = cancelRequested(first.saga, 'no');
    if (decision === 'too-late') throw new Error('a cancel in flight should be accepted');
    assert.equal(decision.send, null);
    const one = stepSucceeded(decision.saga, 'reserve-stock');
    assert.equal(one.send, null, 'the payment is still out');
    const undone = run(one, ok('authorize-payment'), ok('cancel-payment'), ok('release-stock'));
    assert.deepEqual(undone.sent, ['cancel-payment', 'release-stock']);
    assert.deepEqual(undone.saga.outcome, { status: 'CANCELLED', reason: 'no' });
    // One of them failing ends the wait: the cancel's reason is the outcome.
    const failed = stepFailed(one.saga, 'authorize-payment', 'card_declined');
    assert.equal(failed.send, 'release-stock');
    assert.deepEqual(failed.saga.outcome, { status: 'CANCELLED', reason: 'no' });
  });

  test('saga - a refused shipment cancel leaves the order confirmed and undoes nothing', () => {
    const confirmed = run(
      startSaga(),
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      ok('capture-payment'),
      ok('commit-stock'),
    ).saga;
    const decision = cancelRequested(confirmed, 'late');
    if (decision === 'too-late') throw new Error('should be allowed');
    const refused = stepFailed(decision.saga, 'cancel-shipment', 'already shipped');
    assert.equal(refused.saga.phase, 'confirmed');
    assert.equal(refused.send, null);
    assert.deepEqual(refused.saga.compensations, ['cancel-shipment', 'cancel-payment', 'release-stock']);
  });
});

describe('order fold and pricing', () => {
  test('order - status and timeline are the fold of its events', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const order = fold('o', [
      placed(at, 'orchestration'),
      { at, event: { type: 'StepSucceeded', data: { step: 'reserve-stock' } } },
      { at, event: { type: 'StepFailed', data: { step: 'authorize-payment', reason: 'card_declined' } } },
      { at, event: { type: 'StepSucceeded', data: { step: 'release-stock' } } },
      { at, event: { type: 'OrderRejected', data: { reason: 'card_declined' } } },
    ]);
    assert.equal(order?.status, 'REJECTED');
    assert.equal(order?.reason, 'card_declined');
    assert.equal(order?.version, 5);
    assert.deepEqual(
      order?.timeline.map((entry) => `${entry.step}:${entry.outcome}`),
      [
        'place-order:placed',
        'reserve-stock:succeeded',
        'authorize-payment:failed',
        'release-stock:compensated',
        'order:rejected',
      ],
    );
  });

  test('order - an order in line for stock stays PENDING, and its timeline says it waits', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const order = fold('o', [
      placed(at, 'orchestration'),
      { at, event: { type: 'StepWaiting', data: { step: 'reserve-stock' } } },
    ]);
    assert.equal(order?.status, 'PENDING');
    assert.deepEqual(order?.timeline.at(-1), { at, step: 'reserve-stock', outcome: 'waiting' });
  });

  test('order - choreography: a payment heard before the stock leaves the order PENDING until both are in', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const paid = fold('o', [
      placed(at, 'choreography'),
      { at, event: { type: 'StepSucceeded', data: { step: 'authorize-payment' } } },
    ]);
    assert.equal(paid?.status, 'PENDING');
    const both =
      paid && evolve(paid, { at, event: { type: 'StepSucceeded', data: { step: 'reserve-stock' } } }, 'o');
    assert.equal(both?.status, 'PAYMENT_AUTHORIZED');
  });

  test('pricing - tax rounds half up on integer cents, totals add up', () => {
    const line = (amount: number, quantity: number) => ({
      productId: '00000000-0000-4000-8000-000000000000',
      sku: 's',
      name: 'n',
      quantity,
      unitPrice: { amount, currency: 'EUR' },
      weightGrams: 100,
    });
    const totals = orderTotals([line(1_999, 3), line(5, 1)], 499, 'DE');
    assert.equal(totals.subtotal, 6_002);
    assert.equal(totals.tax, 1_140); // 6002 * 0.19 = 1140.38
    assert.equal(totals.total, 6_002 + 1_140 + 499);
    assert.equal(orderTotals([line(250, 1)], 0, 'NL').tax, 53); // 52.5 rounds up
  });
});
