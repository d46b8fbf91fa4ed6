import { prepared, type Queryable } from '@platform/chassis';
import type { catalog } from '@platform/contracts';
import { toPrefixQuery } from './domain/search.ts';

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price_amount: number;
  price_currency: string;
  category_id: string;
  image_url: string;
  attributes: catalog.Product['attributes'];
  created_at: Date;
  updated_at: Date;
  version: number;
}

export const PRODUCT_COLUMNS = `id, sku, name, description, price_amount, price_currency, category_id, image_url,
  attributes, created_at, updated_at, version`;

/** The products of a list of ids (every order's placement asks): prepared, planned once per connection. */
const FIND_PRODUCTS = prepared(
  `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], id)`,
);

export function toProduct(row: ProductRow): catalog.Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: { amount: row.price_amount, currency: row.price_currency },
    category: row.category_id,
    imageUrl: row.image_url,
    attributes: row.attributes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export interface ProductSearch {
  q?: string | undefined;
  category?: string | undefined;
  page: number;
  limit: number;
}

export type CatalogStore = ReturnType<typeof createCatalogStore>;

export function createCatalogStore(db: Queryable) {
  return {
    /** A page of products: by search rank when `q` is given (ties by name), else by name. */
    async searchProducts(search: ProductSearch): Promise<{ items: catalog.Product[]; total: number }> {
      const query = search.q === undefined ? null : toPrefixQuery(search.q);
      if (search.q !== undefined && query === null) return { items: [], total: 0 };
      const filter = `($1::text IS NULL OR search @@ to_tsquery('english', $1))
        AND ($2::text IS NULL OR category_id = $2)`;
      const params = [query, search.category ?? null];
      const [page, count] = await Promise.all([
        db.query<ProductRow>(
          `SELECT ${PRODUCT_COLUMNS} FROM products
           WHERE ${filter}
           ORDER BY CASE WHEN $1::text IS NULL THEN 0 ELSE ts_rank_cd(search, to_tsquery('english', $1)) END DESC,
                    name, id
           LIMIT $3 OFFSET $4`,
          [...params, search.limit, (search.page - 1) * search.limit],
        ),
        db.query<{ total: number }>(`SELECT count(*) AS total FROM products WHERE ${filter}`, params),
      ]);
      return { items: page.rows.map(toProduct), total: count.rows[0]?.total ?? 0 };
    },

    async findProduct(id: string): Promise<catalog.Product | undefined> {
      const { rows } = await db.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toProduct(rows[0]) : undefined;
    },

    /** The products of `ids` that exist, once each, in the order of their first mention. */
    async findProducts(ids: readonly string[]): Promise<catalog.Product[]> {
      const { rows } = await db.query<ProductRow>(FIND_PRODUCTS([ids]));
      return rows.map(toProduct);
    },

    async listCategories(): Promise<catalog.Category[]> {
      const { rows } = await db.query<catalog.Category>(
        `SELECT c.id, c.name, c.description, count(p.id)::int AS "productCount"
         FROM categories c LEFT JOIN products p ON p.category_id = c.id
         GROUP BY c.id ORDER BY c.name`,
      );
      return rows;
    },
  };
}
