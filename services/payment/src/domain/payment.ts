// The payment's state machine and money rules. Pure: no I/O.

export type PaymentStatus =
  | 'AUTHORIZED'
  | 'DECLINED'
  | 'FAILED'
  | 'CAPTURED'
  | 'VOIDED'
  | 'PARTIALLY_REFUNDED'
  | 'REFUNDED';

export type FailureCode = 'card_declined' | 'insufficient_funds' | 'processing_error' | 'cancelled';

export interface Money {
  amount: number;
  currency: string;
}

/** The ledger's three balances, in minor units. */
export interface Balances {
  authorized: number;
  captured: number;
  refunded: number;
}

export interface PaymentState extends Balances {
  id: string;
  orderId: string;
  status: PaymentStatus;
  currency: string;
  failureCode: string | null;
}

/** The currency of a tombstone: an order cancelled before any payment (ISO 4217 "no currency"). */
export const NO_CURRENCY = 'XXX';

const REASONS: Record<FailureCode, string> = {
  card_declined: 'The card was declined',
  insufficient_funds: 'The card has insufficient funds',
  processing_error: 'The card processor failed; the payment can be tried again',
  cancelled: "The order's payment was cancelled",
};

export function failureReason(code: FailureCode): string {
  return REASONS[code];
}

export function isFailureCode(code: string | null): code is FailureCode {
  return code !== null && code in REASONS;
}

// Outcomes of the operations: what the service answers (or announces).
// `repeated` marks an answer given again for an order already handled.
export type AuthorizeOutcome =
  | { kind: 'authorized'; orderId: string; paymentId: string; amount: Money; repeated: boolean }
  | {
      kind: 'failed';
      orderId: string;
      paymentId: string;
      code: FailureCode;
      reason: string;
      repeated: boolean;
    };
export type CaptureOutcome =
  | { kind: 'captured'; orderId: string; paymentId: string; amount: Money; repeated: boolean }
  | Extract<AuthorizeOutcome, { kind: 'failed' }>;
export type CancelOutcome =
  | { kind: 'voided'; orderId: string; paymentId: string; repeated: boolean }
  | {
      kind: 'refunded';
      orderId: string;
      paymentId: string;
      refundId: string;
      amount: Money;
      refundedTotal: Money;
      repeated: boolean;
    };

function failed(payment: PaymentState, code: FailureCode, repeated: boolean): AuthorizeOutcome {
  return {
    kind: 'failed',
    orderId: payment.orderId,
    paymentId: payment.id,
    code,
    reason: REASONS[code],
    repeated,
  };
}

/** What an authorize answers for an order that already has a payment (or a tombstone). */
export function repeatedAuthorization(payment: PaymentState): AuthorizeOutcome {
  switch (payment.status) {
    case 'AUTHORIZED':
    case 'CAPTURED':
    case 'PARTIALLY_REFUNDED':
      return {
        kind: 'authorized',
        orderId: payment.orderId,
        paymentId: payment.id,
        amount: { amount: payment.authorized, currency: payment.currency },
        repeated: true,
      };
    case 'DECLINED':
    case 'FAILED':
      return failed(
        payment,
        isFailureCode(payment.failureCode) ? payment.failureCode : 'card_declined',
        true,
      );
    case 'VOIDED':
    case 'REFUNDED':
      // The order was cancelled (or its money returned): never authorize it again.
      // Each refusal is news to whoever asked, so it is not marked as a repeat.
      return failed(payment, 'cancelled', false);
  }
}

export type CapturePlan =
  | { action: 'capture'; amount: number }
  | { action: 'already-captured' }
  | { action: 'refuse'; code: FailureCode };

/** Capture takes the whole authorized amount, once; a cancelled or failed payment refuses. */
export function capturePlan(payment: PaymentState): CapturePlan {
  switch (payment.status) {
    case 'AUTHORIZED':
      return { action: 'capture', amount: payment.authorized };
    case 'CAPTURED':
    case 'PARTIALLY_REFUNDED':
    case 'REFUNDED':
      return { action: 'already-captured' };
    case 'VOIDED':
      return { action: 'refuse', code: 'cancelled' };
    case 'DECLINED':
    case 'FAILED':
      return {
        action: 'refuse',
        code: isFailureCode(payment.failureCode) ? payment.failureCode : 'card_declined',
      };
  }
}

export type CancelPlan =
  | { action: 'tombstone' }
  | { action: 'void'; amount: number }
  | { action: 'refund-rest'; amount: number }
  | { action: 'already-voided' }
  | { action: 'already-refunded' };

/** Cancelling undoes whatever money moved: a hold is voided, a capture refunded in full. */
export function cancelPlan(payment: PaymentState | undefined): CancelPlan {
  if (!payment) return { action: 'tombstone' };
  switch (payment.status) {
    case 'AUTHORIZED':
      return { action: 'void', amount: payment.authorized };
    case 'CAPTURED':
    case 'PARTIALLY_REFUNDED':
      return { action: 'refund-rest', amount: payment.captured - payment.refunded };
    case 'REFUNDED':
      return { action: 'already-refunded' };
    case 'VOIDED':
    case 'DECLINED':
    case 'FAILED':
      // Nothing is held for a declined or failed card: the answer is "voided".
      return { action: 'already-voided' };
  }
}

export type LapsePlan = { action: 'lapse'; amount: number } | { action: 'none' };

/**
 * Whether a timed-out order's card hold lapses (decision 024): only a hold still held
 * does, voided whole. A voided, declined or failed payment holds nothing; a captured
 * one paid for a booked parcel, which only shipping's cancel may undo (a refund).
 */
export function lapsePlan(payment: PaymentState | undefined): LapsePlan {
  if (payment?.status !== 'AUTHORIZED') return { action: 'none' };
  return { action: 'lapse', amount: payment.authorized };
}

export type RefundCheck =
  | { ok: true; refunded: number; status: 'PARTIALLY_REFUNDED' | 'REFUNDED' }
  | { ok: false; problem: 'not-captured' }
  | { ok: false; problem: 'exceeds-captured'; refundable: number };

/** A refund returns part or all of what was captured and not yet refunded. */
export function checkRefund(payment: PaymentState, amount: number): RefundCheck {
  const captured = ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(payment.status);
  if (!captured) return { ok: false, problem: 'not-captured' };
  const refundable = payment.captured - payment.refunded;
  if (!Number.isInteger(amount) || amount < 1 || amount > refundable) {
    return { ok: false, problem: 'exceeds-captured', refundable };
  }
  const refunded = payment.refunded + amount;
  return { ok: true, refunded, status: statusAfterRefund(payment.captured, refunded) };
}

export function statusAfterRefund(captured: number, refunded: number): 'PARTIALLY_REFUNDED' | 'REFUNDED' {
  return refunded >= captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}
