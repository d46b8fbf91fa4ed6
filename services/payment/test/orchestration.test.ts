import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { payments } from '@platform/contracts';
import { statementsDuring } from '@platform/testkit';
import { heldFromBegin, lockOrdersFirst } from '../src/order-locks.ts';
import { paymentStore } from '../src/store.ts';
import { authorizeCommand, CARDS, type Harness, startHarness, unbalancedPayments } from './harness.ts';

let harness: Harness;

before(async () => {
  harness = await startHarness('payment_orch');
});
after(async () => {
  await harness?.close();
});

type Data = Record<string, unknown>;

async function paymentOf(orderId: string): Promise<payments.Payment | undefined> {
  const response = await fetch(`${harness.base}/api/v1/payments?orderId=${orderId}`, {
    headers: await harness.headers(['admin']),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { data: payments.Payment[] }).data[0];
}

/** Sends `payment.authorize` for a new order paid with `card` and waits for the reply. */
async function authorize(card: string, amount = 5_000) {
  const data = authorizeCommand(await harness.paymentMethod(card), amount);
  const reply = await harness.replyTo(await harness.probe.send('payment.authorize', data, data.orderId));
  return { orderId: data.orderId, data, reply, replyData: reply.data as Data };
}

test("payment - each of Stripe's test cards gets its outcome", async () => {
  const approved = await authorize(CARDS.approves);
  assert.equal(approved.reply.type, 'payment.authorized');
  assert.equal(approved.reply.subject, approved.orderId);
  assert.deepEqual(approved.replyData.amount, { amount: 5_000, currency: 'USD' });
  const payment = await paymentOf(approved.orderId);
  assert.equal(payment?.status, 'AUTHORIZED');
  assert.deepEqual(payment?.card, { brand: 'visa', last4: '4242' });

  for (const [card, code] of [
    [CARDS.declines, 'card_declined'],
    [CARDS.insufficientFunds, 'insufficient_funds'],
    [CARDS.processingError, 'processing_error'],
  ] as const) {
    const refused = await authorize(card);
    assert.equal(refused.reply.type, 'payment.failed', card);
    assert.equal(refused.replyData.code, code);
    const stored = await paymentOf(refused.orderId);
    assert.equal(stored?.status, code === 'processing_error' ? 'FAILED' : 'DECLINED');
    assert.equal(stored?.authorized, 0);
    assert.equal(stored?.failureCode, code);
    assert.deepEqual(await harness.ledger(refused.orderId), [], 'no money moved');
  }

  const other = await authorize(CARDS.mastercard, 1_234);
  assert.equal(other.reply.type, 'payment.authorized');
  assert.deepEqual((await paymentOf(other.orderId))?.card, { brand: 'mastercard', last4: '4444' });
});

test('payment - an authorize sent twice for one order (new event id) charges once and answers the same', async () => {
  const data = authorizeCommand(await harness.paymentMethod(CARDS.approves), 7_500);
  const [first, second] = await Promise.all([
    harness.probe.send('payment.authorize', data, data.orderId),
    harness.probe.send('payment.authorize', data, data.orderId),
  ]);
  assert.ok(first && second && first.id !== second.id);
  const replies = await Promise.all([harness.replyTo(first), harness.replyTo(second)]);
  assert.deepEqual(
    replies.map((reply) => reply.type),
    ['payment.authorized', 'payment.authorized'],
  );
  const paymentIds = replies.map((reply) => (reply.data as Data).paymentId);
  assert.equal(paymentIds[0], paymentIds[1]);
  assert.deepEqual(await harness.ledger(data.orderId), ['authorize 7500']);
  const rows = await harness.sql('SELECT id FROM payments WHERE order_id = $1', [data.orderId]);
  assert.equal(rows.length, 1);
});

test('payment - a cancel that arrives before the authorize leaves a tombstone: the authorize is refused', async () => {
  const data = authorizeCommand(await harness.paymentMethod(CARDS.approves));
  const cancel = await harness.probe.send(
    'payment.cancel',
    { orderId: data.orderId, reason: 'saga deadline' },
    data.orderId,
  );
  const voided = await harness.replyTo(cancel);
  assert.equal(voided.type, 'payment.voided');

  const late = await harness.replyTo(await harness.probe.send('payment.authorize', data, data.orderId));
  assert.equal(late.type, 'payment.failed');
  assert.equal((late.data as Data).code, 'cancelled');
  const payment = await paymentOf(data.orderId);
  assert.equal(payment?.status, 'VOIDED');
  assert.equal(payment?.authorized, 0);
  assert.deepEqual(await harness.ledger(data.orderId), [], 'no money was ever held');
});

test('payment - cancel after authorize voids the hold; a later authorize is refused', async () => {
  const { orderId, data } = await authorize(CARDS.approves, 3_000);
  const voided = await harness.replyTo(
    await harness.probe.send('payment.cancel', { orderId, reason: 'shipping failed' }, orderId),
  );
  assert.equal(voided.type, 'payment.voided');
  assert.equal((await paymentOf(orderId))?.status, 'VOIDED');
  const again = await harness.replyTo(await harness.probe.send('payment.authorize', data, orderId));
  assert.equal((again.data as Data).code, 'cancelled');
  assert.deepEqual(await harness.ledger(orderId), ['authorize 3000', 'void 3000']);
});

test('payment - a cancel sent while the card is being authorized waits for the answer, then voids the hold', async () => {
  const data = authorizeCommand(await harness.paymentMethod(CARDS.approves), 3_300);
  const held = harness.processor.holdAnswer(`authorize:${data.orderId}`);
  const authorizeSent = await harness.probe.send('payment.authorize', data, data.orderId);
  await held.reached;
  const cancel = await harness.probe.send(
    'payment.cancel',
    { orderId: data.orderId, reason: 'saga deadline' },
    data.orderId,
  );
  await sleep(300);
  const early = harness.probe.heard().filter((event) => event.causationid === cancel.id);
  assert.deepEqual(early, [], 'no answer while the hold may or may not exist');
  held.release();
  assert.equal((await harness.replyTo(authorizeSent)).type, 'payment.authorized');
  assert.equal((await harness.replyTo(cancel)).type, 'payment.voided');
  assert.deepEqual(await harness.ledger(data.orderId), ['authorize 3300', 'void 3300']);
});

test('payment - capture then cancel refunds everything captured; repeats change nothing', async () => {
  const { orderId } = await authorize(CARDS.approves, 4_200);
  const capture = () => harness.probe.send('payment.capture', { orderId }, orderId);
  const captured = await harness.replyTo(await capture());
  assert.equal(captured.type, 'payment.captured');
  assert.deepEqual((captured.data as Data).amount, { amount: 4_200, currency: 'USD' });
  const recaptured = await harness.replyTo(await capture());
  assert.equal(recaptured.type, 'payment.captured', 'a repeated capture answers the same');

  const cancel = () =>
    harness.probe.send('payment.cancel', { orderId, reason: 'customer cancelled' }, orderId);
  const refunded = await harness.replyTo(await cancel());
  assert.equal(refunded.type, 'payment.refunded');
  const refund = refunded.data as Data;
  assert.deepEqual(refund.amount, { amount: 4_200, currency: 'USD' });
  assert.deepEqual(refund.refundedTotal, { amount: 4_200, currency: 'USD' });
  const again = await harness.replyTo(await cancel());
  assert.equal(again.type, 'payment.refunded');
  assert.equal((again.data as Data).refundId, refund.refundId, 'the repeat names the same refund');

  const payment = await paymentOf(orderId);
  assert.equal(payment?.status, 'REFUNDED');
  assert.deepEqual([payment?.authorized, payment?.captured, payment?.refunded], [4_200, 4_200, 4_200]);
  assert.deepEqual(await harness.ledger(orderId), ['authorize 4200', 'capture 4200', 'refund 4200']);
});

test('payment - a capture for an order with no payment is retried by the bus, not answered', async () => {
  const orderId = randomUUID();
  const command = await harness.probe.send('payment.capture', { orderId }, orderId);
  // Authorizing afterwards lets the redelivered capture succeed.
  const data = { ...authorizeCommand(await harness.paymentMethod(CARDS.approves), 900), orderId };
  await harness.replyTo(await harness.probe.send('payment.authorize', data, orderId));
  const captured = await harness.replyTo(command);
  assert.equal(captured.type, 'payment.captured');
  assert.deepEqual(
    await harness.published(orderId),
    ['payment.authorized', 'payment.captured'],
    'answered only once authorized',
  );
  assert.deepEqual((captured.data as Data).amount, { amount: 900, currency: 'USD' });
});

test("payment - a command is not queued behind another order's processor call", async () => {
  // The first order's call reaches the processor and is held there; the second order's
  // command is handled and answered meanwhile (a consumer's delivery does not wait for
  // the processor's answer). Held no longer than the test needs, so a consumer that did
  // wait still ends the test.
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached = 0;
  harness.processor.whileWorking(async () => {
    reached += 1;
    if (reached === 1) await gate;
  });
  const first = authorizeCommand(await harness.paymentMethod(CARDS.approves), 1_100);
  const second = authorizeCommand(await harness.paymentMethod(CARDS.approves), 2_200);
  try {
    const firstReply = harness.replyTo(await harness.probe.send('payment.authorize', first, first.orderId));
    while (reached === 0) await sleep(10);
    const secondReply = harness.replyTo(
      await harness.probe.send('payment.authorize', second, second.orderId),
    );
    const answeredFirst = await Promise.race([
      secondReply.then(() => 'second'),
      firstReply.then(() => 'first'),
      sleep(5_000).then(() => 'neither within 5 s'),
    ]);
    assert.equal(answeredFirst, 'second', "the second order's reply came while the first's call was held");
    release();
    assert.equal((await firstReply).type, 'payment.authorized');
  } finally {
    release();
    harness.processor.whileWorking(undefined);
  }
});

test("payment - the locks a transaction takes with its BEGIN are the orders' own locks, whatever the case of an id; the operation then takes none again", async () => {
  const [first, second, other] = [randomUUID(), randomUUID(), randomUUID()];
  const holder = await harness.connect();
  const observer = await harness.connect();
  // What the lapse sweep tries (claimLapsedHolds): the lock of the order's canonical id.
  const tryLock = async (orderId: string) => {
    const { rows } = await observer.query<{ got: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtextextended('payment:' || $1::uuid::text, 0)) AS got`,
      [orderId],
    );
    return rows[0]?.got;
  };
  try {
    await holder.query(`BEGIN; ${lockOrdersFirst([second.toUpperCase(), first, 'not-an-order'])}`);
    await observer.query('BEGIN');
    assert.equal(await tryLock(first), false, 'the first order is locked');
    assert.equal(await tryLock(second), false, 'the second, named in capitals, too');
    assert.equal(await tryLock(other), true, 'an order not named is free');
    await observer.query('ROLLBACK');
    const sent: string[] = [];
    const counting = {
      query: (...args: Parameters<typeof holder.query>) => {
        sent.push(String(args[0]));
        return holder.query(...args);
      },
    } as unknown as typeof holder;
    heldFromBegin(counting, [first]);
    await paymentStore(counting).lockOrder(first);
    assert.deepEqual(sent, [], 'a lock taken with BEGIN is not asked for again');
    await paymentStore(counting).lockOrder(other);
    assert.equal(sent.length, 1, 'an order not locked yet is locked when asked');
    await holder.query('COMMIT');
  } finally {
    holder.release();
    observer.release();
  }
});

/** Six authorizations of an approving card sent in one transaction, each answered authorized. */
async function sixAuthorizedTogether(firstAmount: number) {
  const method = await harness.paymentMethod(CARDS.approves);
  const commands = Array.from({ length: 6 }, (_, i) => authorizeCommand(method, firstAmount + i));
  const sent = await harness.probe.sendAll(
    commands.map((data) => ({ type: 'payment.authorize' as const, data, orderId: data.orderId })),
  );
  const replies = await Promise.all(sent.map((command) => harness.replyTo(command)));
  assert.deepEqual(
    replies.map((reply) => reply.type),
    commands.map(() => 'payment.authorized'),
  );
  return { commands, sent };
}

test('payment - authorizations that arrive together are decided in shared transactions, each answered once', async () => {
  const { commands, sent } = await sixAuthorizedTogether(1_000);
  const orders = commands.map((data) => data.orderId);
  const [calls] = await harness.sql<{ calls: number; transactions: number }>(
    `SELECT count(*)::int AS calls, count(DISTINCT xmin::text)::int AS transactions
     FROM processor_calls WHERE order_id = ANY($1::uuid[]) AND operation = 'authorize'`,
    [orders],
  );
  assert.equal(calls?.calls, 6, 'one call an order');
  // Settling rewrites each row (its own transaction), so the inbox keeps the shared ones.
  const [inbox] = await harness.sql<{ transactions: number }>(
    `SELECT count(DISTINCT xmin::text)::int AS transactions FROM inbox WHERE event_id = ANY($1::text[])`,
    [sent.map((command) => command.id)],
  );
  assert.ok((inbox?.transactions ?? 6) < 6, `the six shared transactions: ${inbox?.transactions}`);
});

test("payment - the processor's answer is recorded and its call settled in one statement", async () => {
  const sent = await statementsDuring(async () => {
    const { orderId, reply } = await authorize(CARDS.approves);
    assert.equal(reply.type, 'payment.authorized');
    const captured = await harness.replyTo(await harness.probe.send('payment.capture', { orderId }, orderId));
    assert.equal(captured.type, 'payment.captured');
  });
  // Every statement that marked a processor call settled, as the service sent it.
  const settling = sent
    .map(({ text }) => text)
    .filter((text) => /UPDATE processor_calls SET state = 'settled'/.test(text));
  assert.equal(settling.length, 2, 'the authorization and the capture');
  assert.deepEqual(
    settling.map((text) => /INSERT INTO payments/.test(text) || /UPDATE payments/.test(text)),
    [true, true],
    'each settling statement writes the payment too',
  );
});

test('payment - answers the processor gives together are settled in shared transactions, each order answered once', async () => {
  const { commands } = await sixAuthorizedTogether(2_000);
  // A payment row is written where its call is settled.
  const [settled] = await harness.sql<{ payments: number; transactions: number }>(
    `SELECT count(*)::int AS payments, count(DISTINCT xmin::text)::int AS transactions
     FROM payments WHERE order_id = ANY($1::uuid[])`,
    [commands.map((data) => data.orderId)],
  );
  assert.equal(settled?.payments, 6, 'one payment an order');
  assert.ok(
    (settled?.transactions ?? 6) < 6,
    `the six settled in shared transactions: ${settled?.transactions}`,
  );
});

test('payment - an answer that cannot be settled holds back none settled with it; it is settled once it can be', async () => {
  const method = await harness.paymentMethod(CARDS.approves);
  const commands = Array.from({ length: 4 }, (_, i) => authorizeCommand(method, 3_000 + i));
  const stuck = commands[0]?.orderId ?? '';
  // The stuck order's payment cannot be written for now, so neither can its group's.
  await harness.sql(`CREATE FUNCTION refuse_stuck() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'not now'; END $$`);
  await harness.sql(`CREATE TRIGGER refuse_stuck BEFORE INSERT ON payments FOR EACH ROW
    WHEN (NEW.order_id = '${stuck}'::uuid) EXECUTE FUNCTION refuse_stuck()`);
  try {
    const sent = await harness.probe.sendAll(
      commands.map((data) => ({ type: 'payment.authorize' as const, data, orderId: data.orderId })),
    );
    const others = await Promise.all(sent.slice(1).map((command) => harness.replyTo(command)));
    assert.deepEqual(
      others.map((reply) => reply.type),
      ['payment.authorized', 'payment.authorized', 'payment.authorized'],
    );
    const [pending] = await harness.sql<{ status: string }>(
      `SELECT state AS status FROM processor_calls WHERE order_id = $1::uuid`,
      [stuck],
    );
    assert.equal(pending?.status, 'pending', 'the stuck call waits to be made again');
    await harness.sql('DROP TRIGGER refuse_stuck ON payments');
    const reply = await harness.replyTo(sent[0] as (typeof sent)[number]);
    assert.equal(reply.type, 'payment.authorized');
  } finally {
    await harness.sql('DROP TRIGGER IF EXISTS refuse_stuck ON payments');
    await harness.sql('DROP FUNCTION IF EXISTS refuse_stuck()');
  }
});

test('payment - after all of the above, every ledger balances with its payment', async () => {
  assert.deepEqual(await unbalancedPayments(harness), []);
  const [counts] = await harness.sql<{ payments: number }>('SELECT count(*)::int AS payments FROM payments');
  assert.ok((counts?.payments ?? 0) >= 8);
});
