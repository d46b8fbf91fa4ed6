import type { Queryable } from '@platform/chassis';
import type { catalog } from '@platform/contracts';
import { UnknownCategory } from './errors.ts';
import { PRODUCT_COLUMNS, type ProductRow, toProduct } from './store.ts';

const FOREIGN_KEY_VIOLATION = '23503';

async function mapErrors<T>(work: Promise<T>, category: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) {
      throw new UnknownCategory(`There is no category ${category}`);
    }
    throw error;
  }
}

/** Admin changes to products, each in the caller's transaction (with its events). */
export function productWrites(db: Queryable) {
  return {
    /** The product, locked until the transaction ends, so its ETag cannot change under us. */
    async lock(id: string): Promise<catalog.Product | undefined> {
      const { rows } = await db.query<ProductRow>(
        `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = $1 FOR UPDATE`,
        [id],
      );
      return rows[0] ? toProduct(rows[0]) : undefined;
    },

    /** Undefined if the SKU is taken. */
    async insert(input: catalog.ProductCreate): Promise<catalog.Product | undefined> {
      const { rows } = await mapErrors(
        db.query<ProductRow>(
          `INSERT INTO products (sku, name, description, price_amount, price_currency, category_id, attributes)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sku) DO NOTHING RETURNING ${PRODUCT_COLUMNS}`,
          [
            input.sku,
            input.name,
            input.description,
            input.price.amount,
            input.price.currency,
            input.category,
            input.attributes,
          ],
        ),
        input.category,
      );
      if (!rows[0]) return undefined;
      const { rows: imaged } = await db.query<ProductRow>(
        `UPDATE products SET image_url = '/api/v1/products/' || id || '/image' WHERE id = $1 RETURNING ${PRODUCT_COLUMNS}`,
        [rows[0].id],
      );
      return imaged[0] ? toProduct(imaged[0]) : undefined;
    },

    async replace(id: string, input: catalog.ProductReplace): Promise<catalog.Product> {
      const { rows } = await mapErrors(
        db.query<ProductRow>(
          `UPDATE products SET name = $2, description = $3, price_amount = $4, price_currency = $5, category_id = $6,
                  attributes = $7, updated_at = now(), version = version + 1
           WHERE id = $1 RETURNING ${PRODUCT_COLUMNS}`,
          [
            id,
            input.name,
            input.description,
            input.price.amount,
            input.price.currency,
            input.category,
            input.attributes,
          ],
        ),
        input.category,
      );
      const row = rows[0];
      if (!row) throw new Error(`product ${id} vanished while locked`);
      return toProduct(row);
    },

    async remove(id: string): Promise<void> {
      await db.query('DELETE FROM products WHERE id = $1', [id]);
    },
  };
}
