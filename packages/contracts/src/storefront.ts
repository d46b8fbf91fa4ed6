import Type, { type Static } from 'typebox';
import { Category, Product } from './catalog.ts';

// Storefront API v1: what the gateway composes for the shop's pages, each page in one
// call (`/api/v1/storefront/*`). The catalog is essential; inventory, cart and the
// recommendations are not: when one of them fails, the answer still comes, with what is
// missing named in `warnings` and marked in the data (availability `unknown`, no
// related products, prices from the gateway's stale copy flagged).

/** How much of a product can be ordered now, as a shopper should read it. */
export const Availability = Type.Object({
  status: Type.Union(
    [Type.Literal('in-stock'), Type.Literal('low'), Type.Literal('out-of-stock'), Type.Literal('unknown')],
    { description: 'low: 5 units or fewer; unknown: inventory did not answer' },
  ),
  available: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: 'units that can be ordered now; null when unknown',
  }),
});
export type Availability = Static<typeof Availability>;

/** A part of a composed answer that is missing or out of date, and why. */
export const Warning = Type.Object({ part: Type.String(), detail: Type.String() });
export type Warning = Static<typeof Warning>;

export const ShelfItem = Type.Object({ product: Product, availability: Availability });
export type ShelfItem = Static<typeof ShelfItem>;

/** `GET /api/v1/storefront/home` */
export const StorefrontHome = Type.Object({
  categories: Type.Array(Category),
  featured: Type.Array(ShelfItem),
  cart: Type.Union([Type.Object({ itemCount: Type.Integer({ minimum: 0 }) }), Type.Null()], {
    description: "the signed-in shopper's cart; null for a guest, or when the cart did not answer",
  }),
  pricesStale: Type.Boolean({
    description: "products and prices are the gateway's stale copy: the catalog did not answer",
  }),
  warnings: Type.Array(Warning),
});
export type StorefrontHome = Static<typeof StorefrontHome>;

/** `GET /api/v1/storefront/products/{id}` */
export const StorefrontProductPage = Type.Object({
  product: Product,
  availability: Availability,
  related: Type.Array(ShelfItem, {
    description: 'recommendations: other products of its category; empty when degraded',
  }),
  priceStale: Type.Boolean({
    description: "the product is the gateway's stale copy: the catalog did not answer",
  }),
  warnings: Type.Array(Warning),
});
export type StorefrontProductPage = Static<typeof StorefrontProductPage>;
