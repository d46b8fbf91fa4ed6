import Type, { type Static } from 'typebox';
import { OrderLine, OrderTotals, ShippingAddress, StockLine } from './commerce-events.ts';
import { ListQuery, Page } from './common.ts';
import { CardInput } from './payments.ts';

// Order API v1.

export const OrderStatus = Type.Union([
  Type.Literal('PENDING'),
  Type.Literal('STOCK_RESERVED'),
  Type.Literal('PAYMENT_AUTHORIZED'),
  Type.Literal('CONFIRMED'),
  Type.Literal('SHIPPED'),
  Type.Literal('DELIVERED'),
  Type.Literal('REJECTED'),
  Type.Literal('CANCELLED'),
]);
export type OrderStatus =
  | 'PENDING'
  | 'STOCK_RESERVED'
  | 'PAYMENT_AUTHORIZED'
  | 'CONFIRMED'
  | 'SHIPPED'
  | 'DELIVERED'
  | 'REJECTED'
  | 'CANCELLED';

export const PlaceOrder = Type.Object(
  {
    items: Type.Optional(Type.Array(StockLine, { minItems: 1, maxItems: 50 })),
    shippingAddress: ShippingAddress,
    payment: CardInput,
  },
  { additionalProperties: false },
);
export type PlaceOrder = Static<typeof PlaceOrder>;

export const TimelineEntry = Type.Object({
  at: Type.String({ format: 'date-time' }),
  step: Type.String(),
  outcome: Type.String(),
  detail: Type.Optional(Type.String()),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

export const Order = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.String(),
  status: OrderStatus,
  reason: Type.Optional(Type.String()),
  items: Type.Array(OrderLine),
  totals: OrderTotals,
  shippingAddress: ShippingAddress,
  card: Type.Object({ brand: Type.String(), last4: Type.String() }),
  sagaMode: Type.Union([Type.Literal('orchestration'), Type.Literal('choreography')]),
  timeline: Type.Array(TimelineEntry),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer({ minimum: 1 }),
});
export type Order = Static<typeof Order>;

export const OrderSummary = Type.Omit(Order, ['timeline', 'shippingAddress', 'items']);
export const OrderPage = Page(OrderSummary);
export const OrderListQuery = ListQuery({}, { additionalProperties: false });
export const OrderParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
