import Type, { type Static } from 'typebox';

// Inventory API v1.

export const ProductParams = Type.Object({ productId: Type.String({ format: 'uuid' }) });

export const StockLevel = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  available: Type.Integer({ minimum: 0, description: 'onHand - reserved' }),
  onHand: Type.Integer({ minimum: 0 }),
  reserved: Type.Integer({ minimum: 0 }),
});
export type StockLevel = Static<typeof StockLevel>;

/** Stock levels of several products in one call, `?productId=a&productId=b` (a shop page's shelf). */
export const StockLookupQuery = Type.Object(
  {
    productId: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 1,
      maxItems: 100,
      description: 'product ids, the parameter repeated',
    }),
  },
  { additionalProperties: false },
);
export type StockLookupQuery = Static<typeof StockLookupQuery>;

/** The stock levels found, once each, in the order asked; a product no stock is kept for is left out. */
export const StockLevelList = Type.Object({ data: Type.Array(StockLevel) });
export type StockLevelList = Static<typeof StockLevelList>;

/** Admin: sets what is on the shelf; refused (409) below what is reserved. */
export const SetStock = Type.Object(
  { onHand: Type.Integer({ minimum: 0, maximum: 1_000_000 }) },
  { additionalProperties: false },
);
export type SetStock = Static<typeof SetStock>;

export const ReservationStatus = Type.Union([
  Type.Literal('RESERVED'),
  Type.Literal('WAITING'),
  Type.Literal('COMMITTED'),
  Type.Literal('RELEASED'),
  Type.Literal('EXPIRED'),
  Type.Literal('REJECTED'),
]);

/** Admin and tests: what inventory holds for an order. */
export const Reservation = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  status: ReservationStatus,
  lines: Type.Array(Type.Object({ productId: Type.String({ format: 'uuid' }), quantity: Type.Integer() })),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Reservation = Static<typeof Reservation>;
