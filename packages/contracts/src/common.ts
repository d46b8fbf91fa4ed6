import Type, { type Static, type TSchema } from 'typebox';

/** Money is always integer minor units (cents) with an ISO 4217 currency. */
export const Money = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, description: 'minor units, e.g. cents' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
  },
  // No $id: a schema that holds Money twice (a cart line) would then define it twice.
  { title: 'Money' },
);
export type Money = Static<typeof Money>;

export const PageQuery = {
  page: Type.Integer({ minimum: 1, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};

export const Pagination = Type.Object({
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  totalPages: Type.Integer(),
});

export const PageLinks = Type.Object({
  self: Type.String(),
  next: Type.Union([Type.String(), Type.Null()]),
  prev: Type.Union([Type.String(), Type.Null()]),
});

/** A page of `item`: `{ data, pagination, _links }`. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), pagination: Pagination, _links: PageLinks });
}
