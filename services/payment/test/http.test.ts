import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { payments } from '@platform/contracts';
import { assertRefused, UNSTORABLE_TEXT, undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import { authorizeCommand, CARDS, type Harness, startHarness, unbalancedPayments } from './harness.ts';

let harness: Harness;

before(async () => {
  harness = await startHarness('payment_http');
});
after(async () => {
  await harness?.close();
});

type Problem = { code: string; status: number };
const card = (cardNumber: string, expYear = new Date().getFullYear() + 1) => ({
  cardNumber,
  expMonth: 12,
  expYear,
  cvc: '123',
});

async function tokenize(body: unknown, roles: string[] | undefined) {
  const headers = roles ? await harness.headers(roles) : { 'content-type': 'application/json' };
  return fetch(`${harness.base}/internal/payment-methods`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}

/** An order authorized (and captured, unless told not to) for `amount`, owned by `userId`. */
async function paidOrder(amount: number, options: { capture?: boolean; userId?: string } = {}) {
  const data = authorizeCommand(await harness.paymentMethod(CARDS.approves), amount, options.userId);
  const authorized = await harness.replyTo(await harness.probe.send('payment.authorize', data, data.orderId));
  const paymentId = (authorized.data as { paymentId: string }).paymentId;
  if (options.capture !== false) {
    const captured = await harness.replyTo(
      await harness.probe.send('payment.capture', { orderId: data.orderId }, data.orderId),
    );
    assert.equal(captured.type, 'payment.captured');
  }
  return { orderId: data.orderId, paymentId };
}

async function refund(paymentId: string, amount: unknown, reason = 'damaged in transit') {
  return fetch(`${harness.base}/api/v1/payments/${paymentId}/refunds`, {
    method: 'POST',
    headers: await harness.headers(['admin']),
    body: JSON.stringify({ amount, reason }),
  });
}

test('payment methods - only services may tokenize; a card is checked and never comes back', async () => {
  assert.equal((await tokenize(card(CARDS.approves), undefined)).status, 401);
  assert.equal((await tokenize(card(CARDS.approves), ['customer'])).status, 403);
  assert.equal((await tokenize(card(CARDS.approves), ['admin'])).status, 403);

  const badLuhn = await tokenize(card('4242 4242 4242 4241'), ['service']);
  assert.equal(badLuhn.status, 422);
  assert.match(badLuhn.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal(((await badLuhn.json()) as Problem).code, 'CARD_INVALID');
  const expired = await tokenize(card(CARDS.approves, 2021), ['service']);
  assert.equal(expired.status, 422);
  assert.equal(((await expired.json()) as Problem).code, 'CARD_EXPIRED');
  assert.equal((await tokenize({ ...card(CARDS.approves), cvc: 'abc' }, ['service'])).status, 400);

  const created = await tokenize(card('4242 4242 4242 4242'), ['service']);
  assert.equal(created.status, 201);
  const method = (await created.json()) as payments.PaymentMethod & Record<string, unknown>;
  assert.match(method.id, /^pm_/);
  assert.deepEqual([method.brand, method.last4], ['visa', '4242']);
  assert.equal(JSON.stringify(method).includes('424242424242'), false, 'the number is not echoed');
});

test('payments list - the owner and administrators see an order’s payment, other users see nothing', async () => {
  const owner = randomUUID();
  const { orderId, paymentId } = await paidOrder(2_000, { capture: false, userId: owner });
  const list = async (headers: Record<string, string>) => {
    const response = await fetch(`${harness.base}/api/v1/payments?orderId=${orderId}`, { headers });
    return { status: response.status, body: (await response.json()) as { data: payments.Payment[] } };
  };
  const mine = await list(await harness.headers(['customer'], owner));
  assert.equal(mine.status, 200);
  assert.deepEqual(
    mine.body.data.map((payment) => [payment.id, payment.status, payment.authorized]),
    [[paymentId, 'AUTHORIZED', 2_000]],
  );
  assert.deepEqual((await list(await harness.headers(['customer']))).body, { data: [] });
  assert.equal((await list(await harness.headers(['admin']))).body.data.length, 1);
  assert.equal((await list({})).status, 401);
  const bad = await fetch(`${harness.base}/api/v1/payments?orderId=nope`, {
    headers: await harness.headers(['admin']),
  });
  assert.equal(bad.status, 400);
});

test('refunds - partial refunds add up to the captured amount and never above it', async () => {
  const { orderId, paymentId } = await paidOrder(5_000);
  const first = await refund(paymentId, 1_500);
  assert.equal(first.status, 201);
  const created = (await first.json()) as { id: string; paymentId: string; amount: unknown; reason: string };
  assert.deepEqual(
    [created.paymentId, created.amount, created.reason],
    [paymentId, { amount: 1_500, currency: 'USD' }, 'damaged in transit'],
  );
  const event = await harness.probe.next(
    (heard) =>
      heard.type === 'payment.refunded' && (heard.data as { refundId: string }).refundId === created.id,
  );
  assert.equal(event.subject, orderId);
  assert.deepEqual((event.data as { refundedTotal: unknown }).refundedTotal, {
    amount: 1_500,
    currency: 'USD',
  });

  const tooMuch = await refund(paymentId, 3_501);
  assert.equal(tooMuch.status, 422);
  assert.equal(((await tooMuch.json()) as Problem).code, 'REFUND_EXCEEDS_CAPTURED');

  // Five admins refunding 1,000 at once: only what is left (3,500) can go out.
  const racing = await Promise.all(Array.from({ length: 5 }, () => refund(paymentId, 1_000)));
  assert.deepEqual(racing.map((response) => response.status).sort(), [201, 201, 201, 422, 422]);
  assert.equal((await refund(paymentId, 500)).status, 201);
  const [row] = await harness.sql<{ status: string; captured: number; refunded: number }>(
    'SELECT status, captured, refunded FROM payments WHERE id = $1',
    [paymentId],
  );
  assert.deepEqual(row, { status: 'REFUNDED', captured: 5_000, refunded: 5_000 });
  assert.equal((await refund(paymentId, 1)).status, 422, 'nothing is left to refund');
});

test('refunds - a payment not captured is 409, an unknown one 404, a bad amount 400', async () => {
  const { paymentId } = await paidOrder(800, { capture: false });
  const notCaptured = await refund(paymentId, 100);
  assert.equal(notCaptured.status, 409);
  assert.equal(((await notCaptured.json()) as Problem).code, 'PAYMENT_NOT_CAPTURED');
  const unknown = await refund(randomUUID(), 100);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as Problem).code, 'PAYMENT_NOT_FOUND');
  assert.equal((await refund(paymentId, 0)).status, 400);
  // Past bigint, or not a JSON integer: refused before the ledger is read.
  for (const amount of [1e21, 2 ** 63, payments.MAX_REFUND + 1, '100', true]) {
    await assertRefused(await refund(paymentId, amount), 'body', 'amount');
  }
  await assertRefused(await refund(paymentId, 100, UNSTORABLE_TEXT.nul), 'body', 'reason');
  const asCustomer = await fetch(`${harness.base}/api/v1/payments/${paymentId}/refunds`, {
    method: 'POST',
    headers: await harness.headers(['customer']),
    body: JSON.stringify({ amount: 100 }),
  });
  assert.equal(asCustomer.status, 403);
});

async function processorFailing(failureRate: number): Promise<void> {
  const response = await fetch(`${harness.base}/api/v1/admin/payment-processor`, {
    method: 'PUT',
    headers: await harness.headers(['admin']),
    body: JSON.stringify({ failureRate }),
  });
  assert.equal(response.status, 200);
}

test('refunds - one the processor fails to make is 503 and records nothing; asked again later it goes through', async () => {
  const { orderId, paymentId } = await paidOrder(1_200);
  await processorFailing(1);
  try {
    const failed = await refund(paymentId, 200);
    assert.equal(failed.status, 503);
    assert.equal(((await failed.json()) as Problem).code, 'PROCESSOR_UNAVAILABLE');
  } finally {
    await processorFailing(0);
  }
  const [row] = await harness.sql('SELECT status, refunded FROM payments WHERE id = $1', [paymentId]);
  assert.deepEqual(row, { status: 'CAPTURED', refunded: 0 });
  assert.deepEqual(await harness.sql('SELECT id FROM refunds WHERE payment_id = $1', [paymentId]), []);
  const inFlight = await harness.sql(
    `SELECT id FROM processor_calls WHERE order_id = $1 AND state = 'pending'`,
    [orderId],
  );
  assert.deepEqual(inFlight, [], 'the failed call is given up, not left to be made later');
  assert.equal((await refund(paymentId, 200)).status, 201);
});

test('ledger - after captures, refunds and a cancel, every ledger balances with its payment', async () => {
  const { orderId, paymentId } = await paidOrder(9_999);
  assert.equal((await refund(paymentId, 999)).status, 201);
  const cancelled = await harness.replyTo(
    await harness.probe.send('payment.cancel', { orderId, reason: 'returned' }, orderId),
  );
  assert.equal(cancelled.type, 'payment.refunded');
  assert.deepEqual((cancelled.data as { amount: unknown }).amount, { amount: 9_000, currency: 'USD' });
  const ledger = await harness.sql<{ kind: string; amount: number }>(
    'SELECT kind, amount FROM ledger WHERE payment_id = $1 ORDER BY id',
    [paymentId],
  );
  assert.deepEqual(
    ledger.map((line) => `${line.kind} ${line.amount}`),
    ['authorize 9999', 'capture 9999', 'refund 999', 'refund 9000'],
  );
  assert.deepEqual(await unbalancedPayments(harness), []);
});

test('payment http - the OpenAPI document is valid and lists every answer above', async () => {
  await validateOpenApi(await (await fetch(`${harness.base}/openapi.json`)).json());
  assert.deepEqual(await undocumentedAnswers(harness.base), []);
});
