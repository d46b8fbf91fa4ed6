import Type, { type Static, type TObjectOptions, type TProperties, type TSchema } from 'typebox';

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

/**
 * The deepest page a list serves. With at most 100 items a page, a query skips at most
 * 99 900 rows (cheap for PostgreSQL, far inside bigint); further back, filter the list.
 * The chassis's `pageLinks` stops its `next` link at the same page.
 */
export const MAX_PAGE = 1_000;
export const MAX_PAGE_SIZE = 100;

const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 }),
};

/**
 * The query string of a list: `properties` plus `page` and `limit`. Both have defaults,
 * so the schema does not require them (the OpenAPI shows them optional), while the
 * handler, which sees the query after defaults are applied, always has them.
 */
export function ListQuery<P extends TProperties>(properties: P, options?: TObjectOptions) {
  const schema = Type.Object({ ...properties, ...PageQuery }, options);
  const required = (schema.required as string[]).filter((name) => !Object.hasOwn(PageQuery, name));
  if (required.length > 0) schema.required = required as typeof schema.required;
  else Reflect.deleteProperty(schema, 'required');
  return schema;
}

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
