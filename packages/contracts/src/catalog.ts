import Type, { type Static } from 'typebox';
import { Money, Page, PageQuery } from './common.ts';

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

export const ProductListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'full-text search; words match as prefixes' }),
    ),
    category: Type.Optional(Type.String({ maxLength: 64 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ProductListQuery = Static<typeof ProductListQuery>;

export const ProductPage = Page(Product);
export type ProductPage = Static<typeof ProductPage>;

export const CategoryList = Type.Object({ data: Type.Array(Category) });
export type CategoryList = Static<typeof CategoryList>;
