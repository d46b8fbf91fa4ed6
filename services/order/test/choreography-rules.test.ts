// Choreography's decisions, without I/O: what the order records as it follows the
// participants' facts, when it speaks, and when its deadline runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Choreography,
  cancelAsked,
  deadlinePassed,
  type Fact,
  type FollowDecision,
  factHeard,
  startFollowing,
} from '../src/domain/choreography.ts';
import type { Step } from '../src/domain/order.ts';

type Move = Fact | 'deadline' | { cancel: string };

function follow(...moves: Move[]) {
  let decision: FollowDecision = startFollowing();
  const events: string[] = [];
  const announced: string[] = [];
  const deadlineOf = (d: FollowDecision['deadline']) => (typeof d === 'string' ? d : `until ${d.until}`);
  const deadlines: string[] = [deadlineOf(decision.deadline)];
  for (const move of moves) {
    const state: Choreography = decision.state;
    const next =
      move === 'deadline'
        ? deadlinePassed(state)
        : 'cancel' in move
          ? cancelAsked(state, move.cancel)
          : factHeard(state, move);
    if (next === 'too-late') {
      events.push('too-late');
      continue;
    }
    decision = next;
    for (const event of next.events) {
      const data = event.data as { step?: Step; reason?: string };
      events.push(
        data.step ? `${event.type}:${data.step}` : data.reason ? `${event.type}:${data.reason}` : event.type,
      );
    }
    if (next.announce) announced.push(next.announce.type);
    deadlines.push(deadlineOf(next.deadline));
  }
  return { state: decision.state, events, announced, deadlines };
}
const ok = (step: Step, detail?: string): Fact => ({
  kind: 'succeeded',
  step,
  ...(detail ? { detail } : {}),
});
const failed = (step: 'reserve-stock' | 'authorize-payment' | 'schedule-shipment', reason: string): Fact => ({
  kind: 'failed',
  step,
  reason,
});

describe('choreography rules', () => {
  test('choreography - payment before stock, then shipping, capture and commit: confirmed once', () => {
    const { events, deadlines, announced } = follow(
      ok('authorize-payment'),
      ok('reserve-stock'),
      ok('schedule-shipment', 'TRK1'),
      ok('commit-stock'),
      ok('capture-payment'),
      ok('capture-payment'),
    );
    assert.deepEqual(events, [
      'StepSucceeded:authorize-payment',
      'StepSucceeded:reserve-stock',
      'StepSucceeded:schedule-shipment',
      'StepSucceeded:commit-stock',
      'StepSucceeded:capture-payment',
      'OrderConfirmed',
    ]);
    assert.deepEqual(announced, [], 'the order only listens on the happy path');
    // Progress before the pivot restarts the deadline; the booked shipment ends it.
    assert.deepEqual(deadlines, ['restart', 'restart', 'restart', 'clear', 'clear', 'clear', 'keep']);
  });

  test('choreography - an order in line for held stock waits for inventory: a payment meanwhile does not shorten it; served, the clock restarts', () => {
    const until = '2030-01-01T00:15:00.000Z';
    const { events, deadlines, state } = follow(
      { kind: 'waiting', until },
      ok('authorize-payment'),
      'deadline',
      ok('reserve-stock'),
      ok('schedule-shipment'),
    );
    // The deadline is the sweeper's: it fires only once inventory's answer is overdue,
    // so a 'deadline' here stands for one that came after `until`.
    assert.deepEqual(events.slice(0, 3), [
      'StepWaiting:reserve-stock',
      'StepSucceeded:authorize-payment',
      'StepTimedOut:reserve-stock',
    ]);
    assert.deepEqual(deadlines.slice(0, 3), ['restart', `until ${until}`, 'keep']);
    assert.ok(state.undoing, 'an answer overdue is given up on like any silent step');

    const served = follow({ kind: 'waiting', until }, ok('authorize-payment'), ok('reserve-stock'));
    assert.deepEqual(served.deadlines, ['restart', `until ${until}`, 'keep', 'restart']);
    assert.equal(served.state.waiting, false);
    assert.deepEqual(follow(ok('reserve-stock'), { kind: 'waiting', until }).events, [
      'StepSucceeded:reserve-stock',
    ]);
  });

  test('choreography - out of stock rejects at once; the void that follows completes the timeline', () => {
    const { events, state } = follow(
      ok('authorize-payment'),
      failed('reserve-stock', 'out of stock'),
      ok('cancel-payment'),
      ok('cancel-shipment'),
    );
    assert.deepEqual(events, [
      'StepSucceeded:authorize-payment',
      'StepFailed:reserve-stock',
      'OrderRejected:out of stock',
      'StepSucceeded:cancel-payment',
    ]);
    assert.equal(state.over, true);
  });

  test('choreography - a declined card rejects; a failed shipment cancels', () => {
    assert.deepEqual(
      follow(ok('reserve-stock'), failed('authorize-payment', 'card_declined')).events.slice(-1),
      ['OrderRejected:card_declined'],
    );
    const shipping = follow(
      ok('reserve-stock'),
      ok('authorize-payment'),
      failed('schedule-shipment', 'no route'),
    );
    assert.deepEqual(shipping.events.slice(-1), ['OrderCancelled:no route']);
  });

  test('choreography - a silent step times out through shipping: the order ends when shipping lets go', () => {
    const { events, announced, state } = follow(
      ok('reserve-stock'),
      'deadline',
      ok('release-stock'),
      ok('cancel-shipment'),
    );
    assert.deepEqual(announced, ['order.timed-out']);
    assert.deepEqual(events, [
      'StepSucceeded:reserve-stock',
      'StepTimedOut:authorize-payment',
      'StepSucceeded:release-stock',
      'StepSucceeded:cancel-shipment',
      'OrderRejected:authorize-payment timed out',
    ]);
    assert.equal(state.over, true);
  });

  test('choreography - steps that overtook a timeout do not confirm an order being undone', () => {
    // The booking, capture and commit happened before shipping heard of the timeout.
    const undone = follow(
      ok('reserve-stock'),
      'deadline',
      ok('authorize-payment'),
      ok('schedule-shipment'),
      ok('capture-payment'),
      ok('commit-stock'),
      ok('cancel-shipment'),
      ok('cancel-payment', 'refunded'),
      ok('release-stock'),
    );
    assert.ok(!undone.events.includes('OrderConfirmed'), undone.events.join(', '));
    assert.deepEqual(undone.events.slice(-4), [
      'StepSucceeded:cancel-shipment',
      'OrderRejected:authorize-payment timed out',
      'StepSucceeded:cancel-payment',
      'StepSucceeded:release-stock',
    ]);
    // Had the parcel already left, shipping refuses the undo: then the order is confirmed.
    const shipped = follow(
      ok('reserve-stock'),
      'deadline',
      ok('authorize-payment'),
      ok('schedule-shipment'),
      ok('capture-payment'),
      ok('commit-stock'),
      { kind: 'cancel-refused', reason: 'already shipped' },
    );
    assert.deepEqual(shipped.events.slice(-2), ['CancellationRefused:already shipped', 'OrderConfirmed']);
    assert.equal(shipped.state.confirmed, true);
  });

  test('choreography - past the pivot the deadline is over: nothing times out', () => {
    const { events, announced } = follow(
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      'deadline',
    );
    assert.equal(events.length, 3);
    assert.deepEqual(announced, []);
  });

  test('choreography - cancel after confirmation: asked of shipping, cancelled when it lets go', () => {
    const { events, announced } = follow(
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      ok('capture-payment'),
      ok('commit-stock'),
      { cancel: 'changed my mind' },
      { cancel: 'again' },
      ok('cancel-shipment'),
      ok('cancel-payment'),
      ok('release-stock'),
    );
    assert.deepEqual(announced, ['order.cancel-requested']);
    assert.deepEqual(events.slice(6), [
      'CancellationRequested:changed my mind',
      'too-late',
      'StepSucceeded:cancel-shipment',
      'OrderCancelled:changed my mind',
      'StepSucceeded:cancel-payment',
      'StepSucceeded:release-stock',
    ]);
  });

  test('choreography - a refused cancel undoes nothing and the order goes on', () => {
    const { events, state } = follow(
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      { cancel: 'too slow' },
      { kind: 'cancel-refused', reason: 'already shipped' },
      ok('capture-payment'),
      ok('commit-stock'),
    );
    assert.deepEqual(events.slice(3), [
      'CancellationRequested:too slow',
      'CancellationRefused:already shipped',
      'StepSucceeded:capture-payment',
      'StepSucceeded:commit-stock',
      'OrderConfirmed',
    ]);
    assert.equal(state.over, false);
    assert.equal(state.undoing, null);
  });

  test('choreography - a failure during a cancel ends the order as cancelled, with the cancel reason', () => {
    const { events } = follow(
      ok('reserve-stock'),
      { cancel: 'no longer needed' },
      failed('authorize-payment', 'card_declined'),
    );
    assert.deepEqual(events.slice(-1), ['OrderCancelled:no longer needed']);
  });

  test('choreography - compensations that are not ours change nothing: a refund of a delivered order', () => {
    const { events } = follow(
      ok('reserve-stock'),
      ok('authorize-payment'),
      ok('schedule-shipment'),
      ok('cancel-payment'),
    );
    assert.equal(events.length, 3);
  });

  test('choreography - a cancel after the order ended is too late', () => {
    const { events } = follow(failed('reserve-stock', 'out of stock'), { cancel: 'x' });
    assert.equal(events.at(-1), 'too-late');
  });
});
