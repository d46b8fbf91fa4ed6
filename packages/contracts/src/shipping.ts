import Type, { type Static } from 'typebox';
import { Money } from './common.ts';

// Shipping API v1.

export const QuoteRequest = Type.Object(
  {
    country: Type.String({ pattern: '^[A-Z]{2}$' }),
    weightGrams: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
);
export type QuoteRequest = Static<typeof QuoteRequest>;

export const Quote = Type.Object({
  price: Money,
  service: Type.String(),
  estimatedDays: Type.Integer({ minimum: 1 }),
});
export type Quote = Static<typeof Quote>;

export const ShipmentStatus = Type.Union([
  Type.Literal('SCHEDULED'),
  Type.Literal('SHIPPED'),
  Type.Literal('IN_TRANSIT'),
  Type.Literal('DELIVERED'),
  Type.Literal('CANCELLED'),
]);

export const Shipment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orderId: Type.String({ format: 'uuid' }),
  status: ShipmentStatus,
  trackingNumber: Type.String(),
  history: Type.Array(Type.Object({ status: ShipmentStatus, at: Type.String({ format: 'date-time' }) })),
});
export type Shipment = Static<typeof Shipment>;

export const ShipmentList = Type.Object({ data: Type.Array(Shipment) });
export const ShipmentQuery = Type.Object(
  { orderId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
