import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Breaker } from '@platform/chassis';
import { retryDelayMs } from '../src/domain/calls.ts';
import { brandOf, isExpired, passesLuhn } from '../src/domain/card.ts';
import {
  cancelPlan,
  capturePlan,
  checkRefund,
  lapsePlan,
  type PaymentState,
  repeatedAuthorization,
} from '../src/domain/payment.ts';
import { guardProcessor } from '../src/processor/guarded.ts';
import { createCardProcessor } from '../src/processor/processor.ts';
import { openCard, sealCard, tokenKey } from '../src/processor/token.ts';

const SECRET = 'a-test-secret-of-16+';
const USD = (amount: number) => ({ amount, currency: 'USD' });
const future = { expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' };

function payment(change: Partial<PaymentState>): PaymentState {
  return {
    id: 'p1',
    orderId: 'o1',
    status: 'AUTHORIZED',
    currency: 'USD',
    authorized: 5_000,
    captured: 0,
    refunded: 0,
    failureCode: null,
    ...change,
  };
}

test('card - Luhn accepts the test cards and rejects a changed digit', () => {
  for (const number of ['4242424242424242', '4000000000000002', '5555555555554444', '378282246310005']) {
    assert.ok(passesLuhn(number), number);
  }
  assert.equal(passesLuhn('4242424242424241'), false);
  assert.equal(passesLuhn('42424242'), false, 'too short');
});

test('card - brand by leading digits', () => {
  assert.equal(brandOf('4242424242424242'), 'visa');
  assert.equal(brandOf('5555555555554444'), 'mastercard');
  assert.equal(brandOf('2223003122003222'), 'mastercard');
  assert.equal(brandOf('378282246310005'), 'amex');
  assert.equal(brandOf('341111111111111'), 'amex');
  assert.equal(brandOf('6011111111111117'), 'card');
});

test('card - good through the end of its expiry month', () => {
  const now = new Date('2030-05-31T23:00:00Z');
  assert.equal(isExpired(5, 2030, now), false);
  assert.equal(isExpired(4, 2030, now), true);
  assert.equal(isExpired(1, 2031, now), false);
  assert.equal(isExpired(12, 2029, now), true);
});

test('token - the card sealed in a payment method opens only under the same secret', () => {
  const card = { number: '4242424242424242', expMonth: 4, expYear: 2040 };
  const token = sealCard(tokenKey(SECRET), card);
  assert.match(token, /^pm_[A-Za-z0-9_-]+$/);
  assert.ok(!token.includes('4242'), 'the number is not readable in the token');
  assert.deepEqual(openCard(tokenKey(SECRET), token), card);
  assert.equal(openCard(tokenKey('another-secret-of-16+'), token), undefined);
  // One character of the sealed body changed (to another: it was the same one in 1 run of 64).
  const at = token.length - 2;
  const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
  assert.equal(openCard(tokenKey(SECRET), tampered), undefined);
  assert.equal(openCard(tokenKey(SECRET), 'pm_short'), undefined);
});

test('processor - tokenize refuses a bad check digit and an expired card', () => {
  const processor = createCardProcessor({ secret: SECRET, latencyMs: 0, failureRate: 0 });
  assert.throws(() => processor.tokenize({ ...future, cardNumber: '4242 4242 4242 4241' }), {
    code: 'CARD_INVALID',
    status: 422,
  });
  assert.throws(
    () => processor.tokenize({ cardNumber: '4242424242424242', expMonth: 1, expYear: 2020, cvc: '1' }),
    {
      code: 'CARD_EXPIRED',
    },
  );
  const method = processor.tokenize({ ...future, cardNumber: '4242 4242 4242 4242' });
  assert.deepEqual({ brand: method.brand, last4: method.last4 }, { brand: 'visa', last4: '4242' });
});

test("processor - Stripe's test cards decide the authorization", async () => {
  const processor = createCardProcessor({ secret: SECRET, latencyMs: 0, failureRate: 0 });
  const outcome = async (cardNumber: string) => {
    const { id } = processor.tokenize({ ...future, cardNumber });
    const result = await processor.authorize(id, USD(100), cardNumber);
    return result.outcome === 'declined' ? result.code : result.outcome;
  };
  assert.equal(await outcome('4242424242424242'), 'approved');
  assert.equal(await outcome('4000000000000002'), 'card_declined');
  assert.equal(await outcome('4000000000009995'), 'insufficient_funds');
  assert.equal(await outcome('4000000000000119'), 'processing_error');
  assert.equal(await outcome('5555555555554444'), 'approved');
  const forged = await processor.authorize('pm_forged-token-that-is-long-enough-to-parse', USD(1), 'x');
  assert.equal(forged.outcome, 'declined');
});

test('processor - an idempotency key answers a repeated request the same, failures are not remembered', async () => {
  let failNext = true;
  const processor = createCardProcessor({
    secret: SECRET,
    latencyMs: 0,
    failureRate: 0.5,
    random: () => (failNext ? 0 : 0.9),
  });
  const { id } = processor.tokenize({ ...future, cardNumber: '4242424242424242' });
  assert.equal((await processor.authorize(id, USD(100), 'order-1')).outcome, 'processing_error');
  failNext = false;
  assert.equal((await processor.authorize(id, USD(100), 'order-1')).outcome, 'approved');
  const declined = processor.tokenize({ ...future, cardNumber: '4000000000000002' }).id;
  // Same key, other card: the processor answers what it answered for the key.
  assert.equal((await processor.authorize(declined, USD(100), 'order-1')).outcome, 'approved');
});

test('processor - one key acts once: a repeat, even in flight together, gets the first answer and charges nothing', async () => {
  const processor = createCardProcessor({ secret: SECRET, latencyMs: 5, failureRate: 0 });
  const { id } = processor.tokenize({ ...future, cardNumber: '4242424242424242' });
  const answers = await Promise.all([
    processor.authorize(id, USD(700), 'order-2'),
    processor.authorize(id, USD(700), 'order-2'),
  ]);
  assert.deepEqual(answers[0], answers[1]);
  await processor.authorize(id, USD(700), 'order-2');
  for (let time = 0; time < 2; time += 1) {
    assert.equal((await processor.capture('p2', USD(700), 'order-2')).outcome, 'done');
    assert.equal((await processor.refund('p2', USD(200), 'refund-1')).outcome, 'done');
  }
  assert.deepEqual(processor.actions(), [
    { operation: 'authorize', idempotencyKey: 'order-2', amount: USD(700), outcome: 'approved' },
    { operation: 'capture', idempotencyKey: 'order-2', amount: USD(700), outcome: 'done' },
    { operation: 'refund', idempotencyKey: 'refund-1', amount: USD(200), outcome: 'done' },
  ]);
});

test('guarded processor - a processing error is tried 3 times, then reported; open circuit throws 503', async () => {
  let calls = 0;
  const processor = createCardProcessor({
    secret: SECRET,
    latencyMs: 0,
    failureRate: 1,
    random: () => {
      calls += 1;
      return 0;
    },
  });
  const breaker = new Breaker({ minimumCalls: 6, windowSize: 10, openMs: 60_000 });
  const guarded = guardProcessor(processor, breaker);
  const { id } = processor.tokenize({ ...future, cardNumber: '4242424242424242' });
  assert.equal((await guarded.authorize(id, USD(1), 'a')).outcome, 'processing_error');
  assert.equal(calls, 3);
  await assert.rejects(guarded.capture('p', USD(1), 'b'), { code: 'PROCESSOR_UNAVAILABLE' });
  assert.equal(calls, 6);
  assert.equal(breaker.state, 'open');
  await assert.rejects(guarded.authorize(id, USD(1), 'c'), { code: 'PROCESSOR_UNAVAILABLE', status: 503 });
  assert.equal(calls, 6, 'an open circuit does not call the processor');
});

test('payment - a repeated authorize answers as the first did; a cancelled order refuses', () => {
  assert.deepEqual(repeatedAuthorization(payment({ status: 'CAPTURED', captured: 5_000 })), {
    kind: 'authorized',
    orderId: 'o1',
    paymentId: 'p1',
    amount: USD(5_000),
    repeated: true,
  });
  const declined = repeatedAuthorization(
    payment({ status: 'DECLINED', authorized: 0, failureCode: 'insufficient_funds' }),
  );
  assert.equal(declined.kind === 'failed' && declined.code, 'insufficient_funds');
  const tombstone = repeatedAuthorization(payment({ status: 'VOIDED', authorized: 0, currency: 'XXX' }));
  assert.equal(tombstone.kind === 'failed' && tombstone.code, 'cancelled');
});

test('payment - capture takes the whole authorization once; cancel voids a hold or refunds the rest', () => {
  assert.deepEqual(capturePlan(payment({})), { action: 'capture', amount: 5_000 });
  assert.deepEqual(capturePlan(payment({ status: 'CAPTURED', captured: 5_000 })), {
    action: 'already-captured',
  });
  assert.deepEqual(capturePlan(payment({ status: 'VOIDED' })), { action: 'refuse', code: 'cancelled' });
  assert.deepEqual(cancelPlan(undefined), { action: 'tombstone' });
  assert.deepEqual(cancelPlan(payment({})), { action: 'void', amount: 5_000 });
  assert.deepEqual(cancelPlan(payment({ status: 'PARTIALLY_REFUNDED', captured: 5_000, refunded: 1_200 })), {
    action: 'refund-rest',
    amount: 3_800,
  });
  assert.deepEqual(cancelPlan(payment({ status: 'DECLINED', authorized: 0 })), { action: 'already-voided' });
});

test('payment - a timed-out order lapses only a hold still held, whole; never a capture', () => {
  assert.deepEqual(lapsePlan(payment({})), { action: 'lapse', amount: 5_000 });
  assert.deepEqual(lapsePlan(undefined), { action: 'none' }, 'no payment yet: nothing is held');
  for (const status of [
    'DECLINED',
    'FAILED',
    'VOIDED',
    'CAPTURED',
    'PARTIALLY_REFUNDED',
    'REFUNDED',
  ] as const) {
    assert.deepEqual(lapsePlan(payment({ status })), { action: 'none' }, status);
  }
});

test('payment - refunds never go above what was captured', () => {
  const captured = payment({ status: 'CAPTURED', captured: 5_000 });
  assert.deepEqual(checkRefund(captured, 2_000), { ok: true, refunded: 2_000, status: 'PARTIALLY_REFUNDED' });
  assert.deepEqual(checkRefund({ ...captured, refunded: 2_000 }, 3_000), {
    ok: true,
    refunded: 5_000,
    status: 'REFUNDED',
  });
  assert.deepEqual(checkRefund({ ...captured, refunded: 2_000 }, 3_001), {
    ok: false,
    problem: 'exceeds-captured',
    refundable: 3_000,
  });
  assert.deepEqual(checkRefund(payment({}), 1), { ok: false, problem: 'not-captured' });
});

test("calls - a call not settled is tried again after the processor's Retry-After, else 250 ms doubling to 30 s", () => {
  assert.deepEqual(
    [1, 2, 3, 8, 9, 40].map((attempt) => retryDelayMs(attempt)),
    [250, 500, 1_000, 30_000, 30_000, 30_000],
  );
  assert.equal(retryDelayMs(1, 2_000), 2_000);
  assert.equal(retryDelayMs(5, 120_000), 30_000, 'never longer than 30 s');
  assert.equal(retryDelayMs(0), 250);
});
