import { randomUUID } from 'node:crypto';
import type { Queryable } from '@platform/chassis';
import { callStore } from './calls.ts';
import type { CallRequest } from './domain/calls.ts';
import {
  type AuthorizeOutcome,
  type CancelOutcome,
  type CaptureOutcome,
  cancelPlan,
  capturePlan,
  checkRefund,
  failureReason,
  lapsePlan,
  type Money,
  NO_CURRENCY,
  repeatedAuthorization,
} from './domain/payment.ts';
import { PaymentBusy, PaymentNotCaptured, PaymentNotFound, RefundExceedsCaptured } from './errors.ts';
import { type PaymentRow, type Refund, toState } from './rows.ts';
import { paymentStore } from './store.ts';

// The payment operations, in the caller's transaction and idempotent by order id: the
// saga's commands, the choreography's facts and an administrator's refunds all come
// here. Each takes the order's lock and answers at once when no money has to move (a
// repeat, a refusal, a tombstone); otherwise it names the call the card processor must
// be asked, which the caller records and makes after its commit, outside any
// transaction (decision 022). While an order has a call in flight its other operations
// wait (PAYMENT_BUSY): each is still decided on settled state, one at a time. The
// processor's idempotency keys derive from the order (or the refund), so a call made
// again after a crash does not charge twice.

export interface AuthorizeRequest {
  orderId: string;
  userId: string;
  paymentMethodId: string;
  amount: Money;
}

/** What an operation comes to: an answer now, or a call to the processor to make first. */
export type Step<O> = { outcome: O } | { call: CallRequest };

const money = (amount: number, currency: string): Money => ({ amount, currency });

/**
 * Takes the order's lock and answers with its payment (locked), if it has one; throws
 * PAYMENT_BUSY while a call for it is in flight, to be tried again in a second, or
 * when the call itself is next tried if it is waiting for the processor to come back
 * (so an outage is not a storm of retries).
 */
async function lockSettledOrder(db: Queryable, orderId: string): Promise<PaymentRow | undefined> {
  await paymentStore(db).lockOrder(orderId);
  const { payment, inFlight: call } = await callStore(db).orderNow(orderId);
  if (!call) return payment;
  const seconds = Math.max(1, Math.ceil((call.retryInMs ?? 0) / 1000));
  throw new PaymentBusy(`Order ${orderId} is waiting for the card processor`, {
    headers: { 'retry-after': String(seconds) },
  });
}

/** Holds `amount` on the card, once per order; a cancelled order (tombstone) refuses. */
export async function authorizePayment(
  db: Queryable,
  request: AuthorizeRequest,
): Promise<Step<AuthorizeOutcome>> {
  const existing = await lockSettledOrder(db, request.orderId);
  if (existing) return { outcome: repeatedAuthorization(toState(existing)) };
  const { orderId, userId, paymentMethodId, amount } = request;
  return {
    call: {
      operation: 'authorize',
      orderId,
      paymentId: randomUUID(),
      idempotencyKey: orderId,
      amount,
      userId,
      paymentMethodId,
    },
  };
}

/** Takes the whole authorized amount; a repeat answers with what was captured. */
export async function capturePayment(db: Queryable, orderId: string): Promise<Step<CaptureOutcome>> {
  const payment = await lockSettledOrder(db, orderId);
  // Not authorized yet (choreography may deliver out of order): fail, so the bus retries.
  if (!payment) throw new PaymentNotFound(`No payment for order ${orderId} to capture`);
  const base = { orderId, paymentId: payment.id };
  const plan = capturePlan(toState(payment));
  switch (plan.action) {
    case 'refuse':
      return {
        outcome: {
          kind: 'failed',
          ...base,
          code: plan.code,
          reason: failureReason(plan.code),
          repeated: false,
        },
      };
    case 'already-captured':
      return {
        outcome: {
          kind: 'captured',
          ...base,
          amount: money(payment.captured, payment.currency),
          repeated: true,
        },
      };
    case 'capture':
      return {
        call: {
          operation: 'capture',
          ...base,
          idempotencyKey: orderId,
          amount: money(plan.amount, payment.currency),
        },
      };
  }
}

/** Undoes the order's payment: voids a hold, refunds a capture; an unknown order gets a tombstone. */
export async function cancelPayment(
  db: Queryable,
  orderId: string,
  reason: string,
): Promise<Step<CancelOutcome>> {
  const payment = await lockSettledOrder(db, orderId);
  const store = paymentStore(db);
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
    return { outcome: { kind: 'voided', orderId, paymentId: tombstone.id, repeated: false } };
  }
  const base = { orderId, paymentId: payment.id };
  switch (plan.action) {
    case 'already-voided':
      return { outcome: { kind: 'voided', ...base, repeated: true } };
    case 'already-refunded':
      return {
        outcome: refundedOutcome(payment, await store.lastRefund(payment.id, payment.currency), true),
      };
    case 'void':
      return { call: voidCall(payment, plan.amount) };
    case 'refund-rest':
      return {
        call: {
          operation: 'refund',
          ...base,
          idempotencyKey: `cancel:${orderId}`,
          amount: money(plan.amount, payment.currency),
          refundId: randomUUID(),
          reason,
        },
      };
  }
}

/** Releases the hold: keyed by the order, so a cancel and a lapse are one void to the processor. */
function voidCall(payment: PaymentRow, amount: number): CallRequest {
  return {
    operation: 'void',
    orderId: payment.order_id,
    paymentId: payment.id,
    idempotencyKey: payment.order_id,
    amount: money(amount, payment.currency),
  };
}

/**
 * The order timed out (choreography): its hold, if it still has one, lapses in
 * `graceMs` unless shipping's answer voids it first (decision 024). Waits, like the
 * other operations, for a call in flight: an authorization settling makes a hold.
 */
export async function setHoldToLapse(
  db: Queryable,
  orderId: string,
  graceMs: number,
  correlationId: string | undefined,
): Promise<void> {
  const payment = await lockSettledOrder(db, orderId);
  if (!payment || lapsePlan(toState(payment)).action === 'none') return;
  await paymentStore(db).setHoldLapse(payment.id, graceMs, correlationId);
}

/** The void that releases a lapsed hold, as a cancel would make it; undefined if nothing is held now. */
export async function lapseHold(db: Queryable, orderId: string): Promise<CallRequest | undefined> {
  const payment = await lockSettledOrder(db, orderId);
  const plan = lapsePlan(payment && toState(payment));
  if (!payment || plan.action === 'none') return undefined;
  return voidCall(payment, plan.amount);
}

export type RefundRequest = Extract<CallRequest, { operation: 'refund' }>;

/** An administrator's refund of part or all of what is captured and not yet refunded: the call to make. */
export async function refundPayment(
  db: Queryable,
  paymentId: string,
  request: { amount: number; reason?: string | undefined },
): Promise<RefundRequest> {
  const store = paymentStore(db);
  const found = await store.findById(paymentId);
  if (!found) throw new PaymentNotFound(`No payment with id ${paymentId}`);
  const payment = (await lockSettledOrder(db, found.order_id)) ?? found;
  const check = checkRefund(toState(payment), request.amount);
  if (!check.ok && check.problem === 'not-captured') {
    throw new PaymentNotCaptured(`Payment ${payment.id} is ${payment.status}; nothing was captured`);
  }
  if (!check.ok) {
    throw new RefundExceedsCaptured(`At most ${check.refundable} can still be refunded`, {
      extensions: { refundable: check.refundable },
    });
  }
  const refundId = randomUUID();
  return {
    operation: 'refund',
    orderId: payment.order_id,
    paymentId: payment.id,
    idempotencyKey: refundId,
    amount: money(request.amount, payment.currency),
    refundId,
    reason: request.reason ?? null,
  };
}

export function refundedOutcome(
  payment: PaymentRow,
  refund: Refund | undefined,
  repeated: boolean,
): CancelOutcome {
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
