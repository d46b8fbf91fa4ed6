// A payment's and a refund's rows as the database returns them, and as the service and
// its API read them.
import type { Static } from '@platform/chassis';
import type { payments } from '@platform/contracts';
import type { PaymentState, PaymentStatus } from './domain/payment.ts';

export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  status: PaymentStatus;
  currency: string;
  authorized: number;
  captured: number;
  refunded: number;
  brand: string;
  last4: string;
  failure_code: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface RefundRow {
  id: string;
  payment_id: string;
  amount: number;
  reason: string | null;
  created_at: Date;
}

export type Refund = Static<typeof payments.Refund>;

export const PAYMENT_COLUMNS = `id, order_id, user_id, status, currency, authorized, captured, refunded, brand, last4,
  failure_code, created_at, updated_at`;

export const REFUND_COLUMNS = 'id, payment_id, amount, reason, created_at';

export function toState(row: PaymentRow): PaymentState {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    currency: row.currency,
    authorized: row.authorized,
    captured: row.captured,
    refunded: row.refunded,
    failureCode: row.failure_code,
  };
}

export function toPayment(row: PaymentRow): payments.Payment {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    authorized: row.authorized,
    captured: row.captured,
    refunded: row.refunded,
    currency: row.currency,
    card: { brand: row.brand, last4: row.last4 },
    ...(row.failure_code ? { failureCode: row.failure_code } : {}),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toRefund(row: RefundRow, currency: string): Refund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    amount: { amount: row.amount, currency },
    reason: row.reason,
    createdAt: row.created_at.toISOString(),
  };
}
