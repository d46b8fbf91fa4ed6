import Type, { type Static, type TSchema } from 'typebox';
import { Money } from './common.ts';

// The checkout's messages. Commands (`<service>.<verb>`, imperative) are sent by the
// order saga with `replyto: "order-saga"`; replies and facts (`<service>.<noun>.<past>`)
// are events, published whether or not a command caused them, so that the same
// messages serve orchestration (replies to the saga) and choreography (services
// reacting to each other). Every message's `subject` is the order id, and every
// participant treats a repeated command for an order as the same command.

const OrderId = Type.String({ format: 'uuid' });
const ProductId = Type.String({ format: 'uuid' });

export const StockLine = Type.Object({
  productId: ProductId,
  quantity: Type.Integer({ minimum: 1, maximum: 99 }),
});

export const ShippingAddress = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 120 }),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
  },
  { additionalProperties: false },
);

export const OrderLine = Type.Object({
  productId: ProductId,
  sku: Type.String(),
  name: Type.String(),
  /** The product's category id when it was ordered (for sales by category). */
  category: Type.Optional(Type.String()),
  quantity: Type.Integer({ minimum: 1, maximum: 99 }),
  unitPrice: Money,
  weightGrams: Type.Integer({ minimum: 0 }),
});

export const OrderTotals = Type.Object({
  subtotal: Type.Integer({ minimum: 0 }),
  tax: Type.Integer({ minimum: 0 }),
  shipping: Type.Integer({ minimum: 0 }),
  total: Type.Integer({ minimum: 0 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
});

export type StockLine = Static<typeof StockLine>;
export type ShippingAddress = Static<typeof ShippingAddress>;
export type OrderLine = Static<typeof OrderLine>;
export type OrderTotals = Static<typeof OrderTotals>;

export const PaymentFailureCode = Type.Union([
  Type.Literal('card_declined'),
  Type.Literal('insufficient_funds'),
  Type.Literal('processing_error'),
  Type.Literal('cancelled'),
]);

// Commands ---------------------------------------------------------------------

export const InventoryReserveStock = Type.Object({
  orderId: OrderId,
  lines: Type.Array(StockLine, { minItems: 1 }),
  /** When an uncommitted reservation lapses on its own. */
  expiresAt: Type.String({ format: 'date-time' }),
});
export const InventoryReleaseStock = Type.Object({ orderId: OrderId, reason: Type.String() });
export const InventoryCommitStock = Type.Object({ orderId: OrderId });

export const PaymentAuthorize = Type.Object({
  orderId: OrderId,
  userId: Type.String(),
  paymentMethodId: Type.String({ minLength: 1 }),
  amount: Money,
});
export const PaymentCapture = Type.Object({ orderId: OrderId });
/** Voids an authorization, or refunds what was captured; for an unknown order, forbids a later one. */
export const PaymentCancel = Type.Object({ orderId: OrderId, reason: Type.String() });

export const ShippingScheduleShipment = Type.Object({
  orderId: OrderId,
  userId: Type.String(),
  address: ShippingAddress,
  lines: Type.Array(
    Type.Object({
      productId: ProductId,
      quantity: Type.Integer({ minimum: 1 }),
      weightGrams: Type.Integer({ minimum: 0 }),
    }),
    { minItems: 1 },
  ),
});
export const ShippingCancelShipment = Type.Object({ orderId: OrderId, reason: Type.String() });

// Replies and facts ----------------------------------------------------------------

export const InventoryStockReserved = Type.Object({
  orderId: OrderId,
  lines: Type.Array(StockLine),
  expiresAt: Type.String({ format: 'date-time' }),
});
export const InventoryStockReservationFailed = Type.Object({
  orderId: OrderId,
  reason: Type.String(),
  shortages: Type.Array(
    Type.Object({
      productId: ProductId,
      requested: Type.Integer(),
      available: Type.Integer(),
    }),
  ),
});
/**
 * Every unit the order needs is on the shelf but held by orders still in flight: it
 * waits in line, and by `until` it is answered again, `inventory.stock.reserved` or
 * `inventory.stock.reservation-failed`.
 */
export const InventoryStockWaiting = Type.Object({
  orderId: OrderId,
  lines: Type.Array(StockLine),
  until: Type.String({ format: 'date-time' }),
});
export const InventoryStockReleased = Type.Object({ orderId: OrderId, reason: Type.String() });
export const InventoryStockCommitted = Type.Object({ orderId: OrderId });
export const InventoryStockLow = Type.Object({
  productId: ProductId,
  available: Type.Integer(),
  threshold: Type.Integer(),
});

export const PaymentAuthorized = Type.Object({
  orderId: OrderId,
  paymentId: Type.String({ format: 'uuid' }),
  amount: Money,
});
export const PaymentFailed = Type.Object({
  orderId: OrderId,
  paymentId: Type.Optional(Type.String({ format: 'uuid' })),
  code: PaymentFailureCode,
  reason: Type.String(),
});
export const PaymentCaptured = Type.Object({
  orderId: OrderId,
  paymentId: Type.String({ format: 'uuid' }),
  amount: Money,
});
export const PaymentVoided = Type.Object({
  orderId: OrderId,
  paymentId: Type.Optional(Type.String({ format: 'uuid' })),
});
export const PaymentRefunded = Type.Object({
  orderId: OrderId,
  paymentId: Type.String({ format: 'uuid' }),
  refundId: Type.String({ format: 'uuid' }),
  amount: Money,
  refundedTotal: Money,
});

const ShipmentFact = Type.Object({
  orderId: OrderId,
  shipmentId: Type.String({ format: 'uuid' }),
  trackingNumber: Type.String(),
  at: Type.String({ format: 'date-time' }),
});
export const ShippingScheduled = ShipmentFact;
export const ShippingFailed = Type.Object({ orderId: OrderId, reason: Type.String() });
export const ShippingCancelled = Type.Object({
  orderId: OrderId,
  shipmentId: Type.Optional(Type.String({ format: 'uuid' })),
});
/** A cancel that came too late: the parcel has left. */
export const ShippingCancelRefused = Type.Object({
  orderId: OrderId,
  shipmentId: Type.String({ format: 'uuid' }),
  reason: Type.String(),
});
export const ShippingShipped = ShipmentFact;
export const ShippingInTransit = ShipmentFact;
export const ShippingDelivered = ShipmentFact;

const OrderFact = Type.Object({ orderId: OrderId, userId: Type.String() });
export const OrderCreated = Type.Object({
  orderId: OrderId,
  userId: Type.String(),
  items: Type.Array(OrderLine),
  totals: OrderTotals,
  shippingAddress: ShippingAddress,
  paymentMethodId: Type.String(),
  /** Placed from the caller's cart (the cart then empties), not from explicit lines. */
  fromCart: Type.Optional(Type.Boolean()),
  placedAt: Type.String({ format: 'date-time' }),
});
export const OrderConfirmed = Type.Object({ ...OrderFact.properties, totals: OrderTotals });
export const OrderRejected = Type.Object({ ...OrderFact.properties, reason: Type.String() });
export const OrderCancelled = Type.Object({ ...OrderFact.properties, reason: Type.String() });
export const OrderShipped = OrderFact;
export const OrderDelivered = OrderFact;
/**
 * Choreography only: the order gave up waiting. Shipping cancels the booking (or
 * leaves a tombstone) and says so; payment and inventory undo their part on that.
 * Payment also sets the card hold to lapse: if shipping stays silent, it voids the
 * hold itself (decision 024).
 */
export const OrderTimedOut = Type.Object({ ...OrderFact.properties, step: Type.String() });
/**
 * Choreography only: the customer asked to cancel. Asked of shipping first, which
 * alone knows whether the parcel has left: `shipping.cancelled` undoes the rest,
 * `shipping.cancel-refused` nothing. `order.cancelled` follows once it is undone.
 */
export const OrderCancelRequested = Type.Object({ ...OrderFact.properties, reason: Type.String() });

export const CartCheckedOut = Type.Object({ userId: Type.String(), orderId: OrderId });

export const commerceEventSchemas = {
  'inventory.reserve-stock': InventoryReserveStock,
  'inventory.release-stock': InventoryReleaseStock,
  'inventory.commit-stock': InventoryCommitStock,
  'inventory.stock.reserved': InventoryStockReserved,
  'inventory.stock.reservation-failed': InventoryStockReservationFailed,
  'inventory.stock.waiting': InventoryStockWaiting,
  'inventory.stock.released': InventoryStockReleased,
  'inventory.stock.committed': InventoryStockCommitted,
  'inventory.stock.low': InventoryStockLow,
  'payment.authorize': PaymentAuthorize,
  'payment.capture': PaymentCapture,
  'payment.cancel': PaymentCancel,
  'payment.authorized': PaymentAuthorized,
  'payment.failed': PaymentFailed,
  'payment.captured': PaymentCaptured,
  'payment.voided': PaymentVoided,
  'payment.refunded': PaymentRefunded,
  'shipping.schedule-shipment': ShippingScheduleShipment,
  'shipping.cancel-shipment': ShippingCancelShipment,
  'shipping.scheduled': ShippingScheduled,
  'shipping.failed': ShippingFailed,
  'shipping.cancelled': ShippingCancelled,
  'shipping.cancel-refused': ShippingCancelRefused,
  'shipping.shipped': ShippingShipped,
  'shipping.in-transit': ShippingInTransit,
  'shipping.delivered': ShippingDelivered,
  'order.created': OrderCreated,
  'order.confirmed': OrderConfirmed,
  'order.rejected': OrderRejected,
  'order.cancelled': OrderCancelled,
  'order.shipped': OrderShipped,
  'order.delivered': OrderDelivered,
  'order.timed-out': OrderTimedOut,
  'order.cancel-requested': OrderCancelRequested,
  'cart.checked-out': CartCheckedOut,
} satisfies Record<string, TSchema>;
