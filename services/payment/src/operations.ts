import { randomUUID } from 'node:crypto';
import type { Queryable } from '@platform/chassis';
import {
  type AuthorizeOutcome,
  type CancelOutcome,
  type CaptureOutcome,
  cancelPlan,
  capturePlan,
  checkRefund,
  failureReason,
  type Money,
  NO_CURRENCY,
  repeatedAuthorization,
} from './domain/payment.ts';
import { PaymentNotCaptured, PaymentNotFound, RefundExceedsCaptured } from './errors.ts';
import type { GuardedProcessor } from './processor/guarded.ts';
import { type PaymentRow, paymentStore, type Refund, toState } from './store.ts';

// The payment operations, each in the caller's transaction and idempotent by order
// id: the saga's commands and the choreography's facts both come here. Each takes the
// order's lock first, so a repeated command waits for the first and gets its answer.
// The processor's idempotency keys derive from the order, so a retry after a crash
// between the processor's answer and our commit does not charge twice either.

export interface AuthorizeRequest {
  orderId: string;
  userId: string;
  paymentMethodId: string;
  amount: Money;
}

const money = (amount: number, currency: string): Money => ({ amount, currency });

/** Holds `amount` on the card, once per order; a cancelled order (tombstone) refuses. */
export async function authorizePayment(
  db: Queryable,
  processor: GuardedProcessor,
  request: AuthorizeRequest,
): Promise<AuthorizeOutcome> {
  const store = paymentStore(db);
  await store.lockOrder(request.orderId);
  const existing = await store.findByOrder(request.orderId);
  if (existing) return repeatedAuthorization(toState(existing));

  const { amount } = request;
  const result = await processor.authorize(request.paymentMethodId, amount, request.orderId);
  const approved = result.outcome === 'approved';
  const code = result.outcome === 'declined' ? result.code : 'processing_error';
  const payment = await store.insert({
    id: randomUUID(),
    orderId: request.orderId,
    userId: request.userId,
    status: approved ? 'AUTHORIZED' : result.outcome === 'declined' ? 'DECLINED' : 'FAILED',
    currency: amount.currency,
    authorized: approved ? amount.amount : 0,
    ...(result.outcome === 'processing_error' ? { brand: 'card', last4: '' } : result.card),
    failureCode: approved ? null : code,
  });
  const base = { orderId: request.orderId, paymentId: payment.id, repeated: false };
  if (!approved) return { kind: 'failed', ...base, code, reason: failureReason(code) };
  await store.record(payment.id, 'authorize', amount.amount);
  return { kind: 'authorized', ...base, amount };
}

/** Takes the whole authorized amount; a repeat answers with what was captured. */
export async function capturePayment(
  db: Queryable,
  processor: GuardedProcessor,
  orderId: string,
): Promise<CaptureOutcome> {
  const store = paymentStore(db);
  await store.lockOrder(orderId);
  const payment = await store.findByOrder(orderId);
  // Not authorized yet (choreography may deliver out of order): fail, so the bus retries.
  if (!payment) throw new PaymentNotFound(`No payment for order ${orderId} to capture`);
  const base = { orderId, paymentId: payment.id };
  const plan = capturePlan(toState(payment));
  if (plan.action === 'refuse') {
    return { kind: 'failed', ...base, code: plan.code, reason: failureReason(plan.code), repeated: false };
  }
  if (plan.action === 'already-captured') {
    return { kind: 'captured', ...base, amount: money(payment.captured, payment.currency), repeated: true };
  }
  const amount = money(plan.amount, payment.currency);
  await processor.capture(payment.id, amount, orderId);
  await store.update(payment.id, { status: 'CAPTURED', captured: plan.amount });
  await store.record(payment.id, 'capture', plan.amount);
  return { kind: 'captured', ...base, amount, repeated: false };
}

/** Undoes the order's payment: voids a hold, refunds a capture; an unknown order gets a tombstone. */
export async function cancelPayment(
  db: Queryable,
  processor: GuardedProcessor,
  orderId: string,
  reason: string,
): Promise<CancelOutcome> {
  const store = paymentStore(db);
  await store.lockOrder(orderId);
  const payment = await store.findByOrder(orderId);
  const plan = cancelPlan(payment ? toState(payment) : undefined);
  if (!payment || plan.action === 'tombstone') {
    // Zero amounts in no currency: nothing moved, and a late authorize is refused.
    const tombstone = await store.insert({
      id: randomUUID(),
      orderId,
      userId: '',
      status: 'VOIDED',
      currency: NO_CURRENCY,
      authorized: 0,
      brand: '',
      last4: '',
      failureCode: null,
    });
    return { kind: 'voided', orderId, paymentId: tombstone.id, repeated: false };
  }
  switch (plan.action) {
    case 'already-voided':
      return { kind: 'voided', orderId, paymentId: payment.id, repeated: true };
    case 'already-refunded':
      return refundedOutcome(payment, await store.lastRefund(payment.id, payment.currency), true);
    case 'void':
      await processor.void(payment.id, money(plan.amount, payment.currency), orderId);
      await store.update(payment.id, { status: 'VOIDED' });
      await store.record(payment.id, 'void', plan.amount);
      return { kind: 'voided', orderId, paymentId: payment.id, repeated: false };
    case 'refund-rest': {
      const refundId = randomUUID();
      const returned = await returnMoney(db, processor, payment, {
        refundId,
        amount: plan.amount,
        reason,
        idempotencyKey: `cancel:${orderId}`,
      });
      return refundedOutcome(returned.payment, returned.refund, false);
    }
  }
}

/** An administrator's refund: part or all of what is captured and not yet refunded. */
export async function refundPayment(
  db: Queryable,
  processor: GuardedProcessor,
  paymentId: string,
  request: { amount: number; reason?: string | undefined },
): Promise<{ refund: Refund; outcome: CancelOutcome }> {
  const payment = await paymentStore(db).findById(paymentId);
  if (!payment) throw new PaymentNotFound(`No payment with id ${paymentId}`);
  const refundId = randomUUID();
  const returned = await returnMoney(db, processor, payment, {
    refundId,
    amount: request.amount,
    reason: request.reason ?? null,
    idempotencyKey: refundId,
  });
  return { refund: returned.refund, outcome: refundedOutcome(returned.payment, returned.refund, false) };
}

/** Checks the amount, refunds at the processor, then records the refund, the balance and the ledger line. */
async function returnMoney(
  db: Queryable,
  processor: GuardedProcessor,
  payment: PaymentRow,
  refund: { refundId: string; amount: number; reason: string | null; idempotencyKey: string },
): Promise<{ refund: Refund; payment: PaymentRow }> {
  const check = checkRefund(toState(payment), refund.amount);
  if (!check.ok && check.problem === 'not-captured') {
    throw new PaymentNotCaptured(`Payment ${payment.id} is ${payment.status}; nothing was captured`);
  }
  if (!check.ok) {
    throw new RefundExceedsCaptured(`At most ${check.refundable} can still be refunded`, {
      extensions: { refundable: check.refundable },
    });
  }
  const store = paymentStore(db);
  await processor.refund(payment.id, money(refund.amount, payment.currency), refund.idempotencyKey);
  const created = await store.insertRefund(
    { id: refund.refundId, paymentId: payment.id, amount: refund.amount, reason: refund.reason },
    payment.currency,
  );
  const after = await store.update(payment.id, { status: check.status, refunded: check.refunded });
  await store.record(payment.id, 'refund', refund.amount);
  return { refund: created, payment: after };
}

function refundedOutcome(payment: PaymentRow, refund: Refund | undefined, repeated: boolean): CancelOutcome {
  if (!refund) throw new Error(`payment ${payment.id} is REFUNDED but has no refund`);
  return {
    kind: 'refunded',
    orderId: payment.order_id,
    paymentId: payment.id,
    refundId: refund.id,
    amount: refund.amount,
    refundedTotal: money(payment.refunded, payment.currency),
    repeated,
  };
}

/** The operations bound to one processor, as the adapters (bus handlers, routes) use them. */
export function paymentOperations(processor: GuardedProcessor) {
  return {
    authorizePayment: (db: Queryable, request: AuthorizeRequest) => authorizePayment(db, processor, request),
    capturePayment: (db: Queryable, orderId: string) => capturePayment(db, processor, orderId),
    cancelPayment: (db: Queryable, orderId: string, reason: string) =>
      cancelPayment(db, processor, orderId, reason),
    refundPayment: (db: Queryable, paymentId: string, request: { amount: number; reason?: string }) =>
      refundPayment(db, processor, paymentId, request),
  };
}

export type PaymentOperations = ReturnType<typeof paymentOperations>;
