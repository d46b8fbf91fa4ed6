import Type, { type Static } from 'typebox';
import { Money } from './common.ts';

// Cart API v1. A signed-in caller's cart is theirs; a guest's is found by the
// `X-Guest-Id` header or the `guest_id` cookie (set on first use).

export const CartItem = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer({ minimum: 1, maximum: 99 }),
  unitPrice: Money,
  lineTotal: Money,
});
export type CartItem = Static<typeof CartItem>;

export const Cart = Type.Object({
  id: Type.String({ format: 'uuid' }),
  owner: Type.Object({ kind: Type.Union([Type.Literal('user'), Type.Literal('guest')]), id: Type.String() }),
  items: Type.Array(CartItem),
  /** Sum of the lines at today's catalog prices; the order recomputes it at checkout. */
  subtotal: Money,
  itemCount: Type.Integer({ minimum: 0 }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Cart = Static<typeof Cart>;

export const AddItem = Type.Object(
  {
    productId: Type.String({ format: 'uuid' }),
    quantity: Type.Integer({ minimum: 1, maximum: 99 }),
  },
  { additionalProperties: false },
);
export type AddItem = Static<typeof AddItem>;

export const ChangeQuantity = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: 99 }) },
  { additionalProperties: false },
);
export type ChangeQuantity = Static<typeof ChangeQuantity>;

export const ItemParams = Type.Object({ productId: Type.String({ format: 'uuid' }) });
