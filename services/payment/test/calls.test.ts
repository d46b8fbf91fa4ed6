import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { authorizeCommand, CARDS, type Harness, startHarness, unbalancedPayments } from './harness.ts';

// Payment records a call to the card processor (its intent) and commits, calls the
// processor outside any transaction, then records the outcome and answers in a second
// transaction (decision 022). These tests look at the database while the processor
// works, and hold the processor's answer back or fail the outcome's transaction where
// a crash would land; then they count what the processor did (one action per
// idempotency key) and what the service said (one answer per command).

let harness: Harness;

before(async () => {
  // A short lease, so a call whose taker "died" is taken again within the test.
  harness = await startHarness('payment_calls', { PAYMENT_CALL_LEASE_MS: '400', PAYMENT_CALL_POLL_MS: '50' });
});
after(async () => {
  await harness?.close();
});

/** What the processor did under `key`, and whether it was asked `request` again (a slow machine may ask a third time). */
function processorSide(key: string, request: string) {
  return {
    actions: harness.processor
      .actions()
      .filter((action) => action.idempotencyKey === key)
      .map((action) => `${action.operation} ${action.amount.amount}`),
    askedAgain: harness.processor.requests().filter((seen) => seen === request).length >= 2,
  };
}

async function authorized(amount: number) {
  const data = authorizeCommand(await harness.paymentMethod(CARDS.approves), amount);
  const reply = await harness.replyTo(await harness.probe.send('payment.authorize', data, data.orderId));
  assert.equal(reply.type, 'payment.authorized');
  return { orderId: data.orderId, paymentId: (reply.data as { paymentId: string }).paymentId };
}

test('calls - no transaction in the database is open while the processor works (authorize, capture, refund, cancel)', async () => {
  const idle: string[] = [];
  let looks = 0;
  harness.processor.whileWorking(async () => {
    // Long enough for a transaction left waiting on the processor to show as idle in it.
    await sleep(60);
    looks += 1;
    const rows = await harness.sql<{ application_name: string; query: string }>(
      `SELECT application_name, query FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND state LIKE 'idle in transaction%' AND state_change < clock_timestamp() - interval '30 milliseconds'`,
    );
    idle.push(...rows.map((row) => `${row.application_name}: ${row.query}`));
  });
  try {
    const { orderId, paymentId } = await authorized(6_000);
    const captured = await harness.replyTo(await harness.probe.send('payment.capture', { orderId }, orderId));
    assert.equal(captured.type, 'payment.captured');
    const refund = await fetch(`${harness.base}/api/v1/payments/${paymentId}/refunds`, {
      method: 'POST',
      headers: await harness.headers(['admin']),
      body: JSON.stringify({ amount: 1_000, reason: 'scratched' }),
    });
    assert.equal(refund.status, 201);
    const cancelled = await harness.replyTo(
      await harness.probe.send('payment.cancel', { orderId, reason: 'returned' }, orderId),
    );
    assert.equal(cancelled.type, 'payment.refunded');
    assert.deepEqual(await harness.ledger(orderId), [
      'authorize 6000',
      'capture 6000',
      'refund 1000',
      'refund 5000',
    ]);
  } finally {
    harness.processor.whileWorking(undefined);
  }
  assert.equal(looks, 4, 'one look inside each of the four processor calls');
  assert.deepEqual(idle, [], 'no session waited on the processor inside a transaction');
});

test('calls - the taker died while the processor worked: after its lease the call is made again with the same key; one charge, one answer', async () => {
  const data = authorizeCommand(await harness.paymentMethod(CARDS.approves), 2_500);
  // The processor approves, and its answer never reaches the instance that asked.
  const held = harness.processor.holdAnswer(`authorize:${data.orderId}`);
  const command = await harness.probe.send('payment.authorize', data, data.orderId);
  await held.reached;
  const reply = await harness.replyTo(command);
  assert.equal(reply.type, 'payment.authorized');
  assert.deepEqual(processorSide(data.orderId, `authorize:${data.orderId}`), {
    actions: ['authorize 2500'],
    askedAgain: true,
  });

  // The first answer comes back at last: the call is settled, so it records nothing.
  held.release();
  await sleep(300);
  assert.deepEqual(await harness.published(data.orderId), ['payment.authorized']);
  assert.deepEqual(await harness.ledger(data.orderId), ['authorize 2500']);
  const payments = await harness.sql('SELECT id FROM payments WHERE order_id = $1', [data.orderId]);
  assert.equal(payments.length, 1);
});

test('calls - the processor answered and the outcome failed to commit: made again with the same key, recorded once', async () => {
  const { orderId } = await authorized(3_000);
  // The outcome's transaction fails once where a crash before its commit would stop it.
  await harness.sql(`CREATE SEQUENCE capture_failures`);
  await harness.sql(`CREATE FUNCTION fail_first_capture() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.status = 'CAPTURED' AND nextval('capture_failures') = 1 THEN
        RAISE EXCEPTION 'the outcome of a capture failed to commit (test)';
      END IF;
      RETURN NEW;
    END $$`);
  await harness.sql(`CREATE TRIGGER fail_first_capture BEFORE UPDATE ON payments
    FOR EACH ROW EXECUTE FUNCTION fail_first_capture()`);
  try {
    const captured = await harness.replyTo(await harness.probe.send('payment.capture', { orderId }, orderId));
    assert.equal(captured.type, 'payment.captured');
  } finally {
    await harness.sql('DROP TRIGGER fail_first_capture ON payments');
  }
  assert.deepEqual(processorSide(orderId, `capture:${orderId}`), {
    actions: ['authorize 3000', 'capture 3000'],
    askedAgain: true,
  });
  assert.deepEqual(await harness.published(orderId), ['payment.authorized', 'payment.captured']);
  assert.deepEqual(await harness.ledger(orderId), ['authorize 3000', 'capture 3000']);
});

test('calls - after all of the above, every ledger balances and no call is left in flight', async () => {
  assert.deepEqual(await unbalancedPayments(harness), []);
  const [left] = await harness.sql<{ pending: number }>(
    `SELECT count(*)::int AS pending FROM processor_calls WHERE state = 'pending'`,
  );
  assert.equal(left?.pending, 0);
});
