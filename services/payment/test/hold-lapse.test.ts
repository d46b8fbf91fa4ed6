import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@platform/chassis';
import { CARDS, type Harness, orderCreated, startHarness, unbalancedPayments } from './harness.ts';

// Choreography: an order that times out before its shipment is booked is undone
// through shipping; while shipping is silent, payment lets the card hold lapse
// itself once the grace has passed (decision 024). Shipping is not running here: the
// probe publishes its facts, or none.

// Long enough that shipping's answer, published right after the timeout is handled,
// lands inside it on a busy machine; short enough for a test.
const GRACE_MS = 1_000;
const POLL_MS = 50;

let harness: Harness;

before(async () => {
  harness = await startHarness('payment_hold_lapse', {
    SAGA_MODE: 'choreography',
    PAYMENT_HOLD_GRACE_MS: String(GRACE_MS),
    PAYMENT_CALL_POLL_MS: String(POLL_MS),
  });
});
after(async () => {
  await harness?.close();
});

type Data = Record<string, unknown>;

/** The payment fact published about `orderId` of `type`. */
const fact = (orderId: string, type: string): Promise<Envelope> =>
  harness.probe.next((event) => event.subject === orderId && event.type === type);

/** What the service was asked to do for the order: `void` for `void:<orderId>`, and so on. */
const processorRequests = (orderId: string): string[] =>
  harness.processor
    .requests()
    .filter((request) => request.endsWith(`:${orderId}`))
    .map((request) => request.slice(0, request.indexOf(':')));

/** The correlation id a fact caused by `event` carries (the probe sets none, so the event's id). */
const causedBy = (event: Envelope): string => event.correlationid ?? event.id;

async function paymentOf(orderId: string) {
  const rows = await harness.sql<{ status: string; hold_lapses_at: Date | null }>(
    'SELECT status, hold_lapses_at FROM payments WHERE order_id = $1',
    [orderId],
  );
  assert.equal(rows.length, 1, `one payment for order ${orderId}`);
  return rows[0] as { status: string; hold_lapses_at: Date | null };
}

async function authorizedOrder(total: number): Promise<string> {
  const orderId = randomUUID();
  const method = await harness.paymentMethod(CARDS.approves);
  await harness.probe.publish('order.created', orderCreated(orderId, method, total), orderId);
  await fact(orderId, 'payment.authorized');
  return orderId;
}

const timeOut = (orderId: string) =>
  harness.probe.publish(
    'order.timed-out',
    { orderId, userId: randomUUID(), step: 'schedule-shipment' },
    orderId,
  );

/** An authorized order that timed out and whose hold lapsed, shipping silent throughout. */
async function lapsedHold(total: number): Promise<string> {
  const orderId = await authorizedOrder(total);
  await timeOut(orderId);
  await fact(orderId, 'payment.voided');
  return orderId;
}

test('hold lapse - an order timed out while shipping is silent: payment voids its hold itself after the grace', async () => {
  const orderId = await authorizedOrder(4_000);
  const started = Date.now();
  const timedOut = await timeOut(orderId);
  const voided = await fact(orderId, 'payment.voided');
  assert.ok(Date.now() - started >= GRACE_MS, 'not before the grace: shipping may still answer');
  assert.equal(voided.correlationid, causedBy(timedOut), 'the void is the timeout’s consequence');
  assert.equal((await paymentOf(orderId)).status, 'VOIDED');
  assert.deepEqual(await harness.ledger(orderId), ['authorize 4000', 'void 4000']);
  // The processor was asked to void under the key a cancel uses (the order id): it holds nothing.
  assert.deepEqual(processorRequests(orderId), ['authorize', 'void']);
  const actions = harness.processor.actions().filter((action) => action.idempotencyKey === orderId);
  assert.deepEqual(
    actions.map((action) => `${action.operation} ${action.amount.amount} ${action.outcome}`),
    ['authorize 4000 approved', 'void 4000 done'],
  );
  assert.deepEqual(await unbalancedPayments(harness), []);
});

test('hold lapse - shipping cancels after the hold lapsed: answered as already voided, no second void', async () => {
  const orderId = await lapsedHold(4_500);
  const cancelled = await harness.probe.publish('shipping.cancelled', { orderId }, orderId);
  await harness.handled(cancelled.id);
  assert.deepEqual(processorRequests(orderId), ['authorize', 'void']);
  assert.deepEqual(await harness.published(orderId), ['payment.authorized', 'payment.voided']);
  assert.deepEqual(await harness.ledger(orderId), ['authorize 4500', 'void 4500']);
});

test('hold lapse - shipping books after the hold lapsed: payment refuses with payment.failed (cancelled), nothing captured', async () => {
  const orderId = await lapsedHold(5_000);
  await harness.probe.publish(
    'shipping.scheduled',
    { orderId, shipmentId: randomUUID(), trackingNumber: 'TRK-LATE', at: new Date().toISOString() },
    orderId,
  );
  const failed = await fact(orderId, 'payment.failed');
  assert.equal((failed.data as Data).code, 'cancelled');
  assert.equal((await paymentOf(orderId)).status, 'VOIDED');
  assert.deepEqual(processorRequests(orderId), ['authorize', 'void']);
  assert.deepEqual(await harness.ledger(orderId), ['authorize 5000', 'void 5000']);
  assert.deepEqual(await harness.published(orderId), [
    'payment.authorized',
    'payment.voided',
    'payment.failed',
  ]);
});

test('hold lapse - shipping answers the timeout within the grace: it voids once, and nothing lapses later', async () => {
  const orderId = await authorizedOrder(5_500);
  const timedOut = await timeOut(orderId);
  await harness.handled(timedOut.id);
  const waiting = await paymentOf(orderId);
  assert.equal(waiting.status, 'AUTHORIZED', 'the timeout alone does not void: shipping may answer');
  assert.ok(waiting.hold_lapses_at, 'the hold is set to lapse');

  const cancelled = await harness.probe.publish('shipping.cancelled', { orderId }, orderId);
  const voided = await fact(orderId, 'payment.voided');
  assert.equal(voided.correlationid, causedBy(cancelled), 'voided on shipping’s answer');
  await sleep(GRACE_MS + 4 * POLL_MS);
  assert.deepEqual(processorRequests(orderId), ['authorize', 'void']);
  assert.deepEqual(await harness.published(orderId), ['payment.authorized', 'payment.voided']);
  assert.deepEqual(await harness.ledger(orderId), ['authorize 5500', 'void 5500']);
});

test('hold lapse - an order captured before its timeout reached payment: nothing lapses, the capture stays', async () => {
  const orderId = await authorizedOrder(6_000);
  await harness.probe.publish(
    'shipping.scheduled',
    { orderId, shipmentId: randomUUID(), trackingNumber: 'TRK-EARLY', at: new Date().toISOString() },
    orderId,
  );
  await fact(orderId, 'payment.captured');
  const timedOut = await timeOut(orderId);
  await harness.handled(timedOut.id);
  assert.equal((await paymentOf(orderId)).hold_lapses_at, null);
  await sleep(GRACE_MS + 4 * POLL_MS);
  assert.equal((await paymentOf(orderId)).status, 'CAPTURED');
  assert.deepEqual(processorRequests(orderId), ['authorize', 'capture']);
  assert.deepEqual(await harness.published(orderId), ['payment.authorized', 'payment.captured']);
});

test('hold lapse - a timeout heard while the authorization waits for the processor waits its turn, then the hold lapses', async () => {
  const orderId = randomUUID();
  const method = await harness.paymentMethod(CARDS.approves);
  let reachable = false;
  harness.processor.whileWorking(async () => {
    if (!reachable) throw new Error('the card processor cannot be reached (test)');
  });
  try {
    await harness.probe.publish('order.created', orderCreated(orderId, method, 7_000), orderId);
    await until(async () => {
      const calls = await harness.sql(
        'SELECT 1 FROM processor_calls WHERE order_id = $1 AND last_error IS NOT NULL',
        [orderId],
      );
      return calls.length > 0;
    });
    // The authorization is pending: whether a hold will exist is not known yet.
    const timedOut = await timeOut(orderId);
    await sleep(300);
    const heard = await harness.sql('SELECT 1 FROM inbox WHERE event_id = $1', [timedOut.id]);
    assert.deepEqual(heard, [], 'the timeout waits for the authorization to settle');
    reachable = true;
    await fact(orderId, 'payment.authorized');
    const voided = await fact(orderId, 'payment.voided');
    assert.equal(voided.correlationid, causedBy(timedOut));
  } finally {
    harness.processor.whileWorking(undefined);
  }
  const actions = harness.processor.actions().filter((action) => action.idempotencyKey === orderId);
  assert.deepEqual(
    actions.map((action) => `${action.operation} ${action.outcome}`),
    ['authorize approved', 'void done'],
  );
  assert.deepEqual(await harness.published(orderId), ['payment.authorized', 'payment.voided']);
});

test('hold lapse - the sweep never waits for an order another transaction holds: the other lapsed holds are voided meanwhile', async () => {
  const [busy, free] = [await authorizedOrder(7_500), await authorizedOrder(8_000)];
  for (const orderId of [busy, free]) await harness.handled((await timeOut(orderId)).id);
  // As an operation on the order would: its lock, then its row.
  const operation = await harness.connect();
  try {
    await operation.query('BEGIN');
    await operation.query(`SELECT pg_advisory_xact_lock(hashtextextended('payment:' || $1::uuid::text, 0))`, [
      busy,
    ]);
    await fact(free, 'payment.voided');
    await operation.query('SELECT 1 FROM payments WHERE order_id = $1 FOR UPDATE', [busy]);
    assert.equal((await paymentOf(busy)).status, 'AUTHORIZED');
    await operation.query('COMMIT');
  } finally {
    operation.release();
  }
  await fact(busy, 'payment.voided');
  assert.deepEqual(await harness.ledger(busy), ['authorize 7500', 'void 7500']);
});

async function until(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(25);
  }
}
