import Type, { type Static } from 'typebox';
import { ListQuery, Money, Page } from './common.ts';

// Catalog API v1. Changing a field's meaning or removing one needs /api/v2.

export const Category = Type.Object({
  id: Type.String({ description: 'slug, e.g. "audio"' }),
  name: Type.String(),
  description: Type.String(),
  productCount: Type.Integer({ minimum: 0 }),
});
export type Category = Static<typeof Category>;

export const Product = Type.Object({
  id: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price: Money,
  category: Type.String({ description: 'category id' }),
  imageUrl: Type.String(),
  attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer({ minimum: 1 }),
});
export type Product = Static<typeof Product>;

export const ProductListQuery = ListQuery(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'full-text search; words match as prefixes' }),
    ),
    category: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ProductListQuery = Static<typeof ProductListQuery>;

export const ProductPage = Page(Product);
export type ProductPage = Static<typeof ProductPage>;

/** Internal (service callers): products looked up together, `?id=a&id=b`. */
export const ProductLookupQuery = Type.Object(
  {
    id: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 1,
      maxItems: 100,
      description: 'product ids, the parameter repeated; an order has at most 50 lines',
    }),
  },
  { additionalProperties: false },
);
export type ProductLookupQuery = Static<typeof ProductLookupQuery>;

/** The products found, once each, in the order asked; an unknown id is left out. */
export const ProductList = Type.Object({ data: Type.Array(Product) });
export type ProductList = Static<typeof ProductList>;

export const CategoryList = Type.Object({ data: Type.Array(Category) });
export type CategoryList = Static<typeof CategoryList>;

/**
 * The highest price a product takes, in minor units (1 000 000.00): the largest order
 * (50 lines of 99) then stays an exact integer in JavaScript and far inside bigint.
 */
export const MAX_PRICE = 100_000_000;

const ProductFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 5_000, default: '' }),
  price: Type.Object(
    {
      ...Money.properties,
      amount: Type.Integer({ minimum: 0, maximum: MAX_PRICE, description: 'minor units' }),
    },
    { title: 'Price' },
  ),
  category: Type.String({ minLength: 1, maxLength: 64 }),
  attributes: Type.Record(
    Type.String({ maxLength: 64 }),
    Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]),
    {
      default: {},
      maxProperties: 50,
    },
  ),
};

/** Admin: a new product. */
export const ProductCreate = Type.Object(
  { sku: Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{1,63}$' }), ...ProductFields },
  { additionalProperties: false },
);
export type ProductCreate = Static<typeof ProductCreate>;

/** Admin: every changeable field (PUT replaces them; send If-Match with the ETag you read). */
export const ProductReplace = Type.Object(ProductFields, { additionalProperties: false });
export type ProductReplace = Static<typeof ProductReplace>;
