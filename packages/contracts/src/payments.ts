import Type, { type Static } from 'typebox';
import { Money } from './common.ts';

// Payment API v1. Card numbers are never stored: the simulated processor turns a
// card into an opaque payment method, and only its brand and last four digits stay.

export const CardInput = Type.Object(
  {
    cardNumber: Type.String({ pattern: '^[0-9 ]{12,23}$' }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
    cvc: Type.String({ pattern: '^[0-9]{3,4}$' }),
  },
  { additionalProperties: false },
);
export type CardInput = Static<typeof CardInput>;

export const Card = Type.Object({ brand: Type.String(), last4: Type.String() });

/** Internal (service callers): `POST /payments/methods` turns a card into this. */
export const PaymentMethod = Type.Object({
  id: Type.String({ description: 'opaque processor token' }),
  brand: Type.String(),
  last4: Type.String(),
});
export type PaymentMethod = Static<typeof PaymentMethod>;

export const PaymentStatus = Type.Union([
  Type.Literal('AUTHORIZED'),
  Type.Literal('DECLINED'),
  Type.Literal('FAILED'),
  Type.Literal('CAPTURED'),
  Type.Literal('VOIDED'),
  Type.Literal('PARTIALLY_REFUNDED'),
  Type.Literal('REFUNDED'),
]);

export const Payment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orderId: Type.String({ format: 'uuid' }),
  status: PaymentStatus,
  /** Minor units, in `currency`: the ledger's three balances. */
  authorized: Type.Integer({ minimum: 0 }),
  captured: Type.Integer({ minimum: 0 }),
  refunded: Type.Integer({ minimum: 0 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  card: Card,
  failureCode: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Payment = Static<typeof Payment>;

export const PaymentList = Type.Object({ data: Type.Array(Payment) });

export const PaymentQuery = Type.Object(
  { orderId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

/** More than any order can total (see catalog's MAX_PRICE), exact in JavaScript and far inside bigint. */
export const MAX_REFUND = 1_000_000_000_000;

export const RefundRequest = Type.Object(
  {
    amount: Type.Integer({
      minimum: 1,
      maximum: MAX_REFUND,
      description: 'minor units; at most captured - refunded',
    }),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const Refund = Type.Object({
  id: Type.String({ format: 'uuid' }),
  paymentId: Type.String({ format: 'uuid' }),
  amount: Money,
  reason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
