import type { Queryable } from '@platform/chassis';
import type { Money } from '@platform/contracts';
import { cartIdOf, type Owner } from './domain/owner.ts';
import type { CartLine } from './domain/pricing.ts';
import type { Line } from './domain/quantity.ts';

/** What the cart keeps of a catalog product. */
export interface ProductCopy {
  id: string;
  sku: string;
  name: string;
  price: Money;
  /** The catalog's version of the product this copy reflects. */
  version: number;
}

export interface StoredProduct extends ProductCopy {
  /** A tombstone: the catalog deleted the product. */
  deleted: boolean;
}

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  price_amount: number;
  price_currency: string;
  version: number;
  deleted: boolean;
}

function toStoredProduct(row: ProductRow): StoredProduct {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    price: { amount: row.price_amount, currency: row.price_currency },
    version: row.version,
    deleted: row.deleted,
  };
}

/** The cart's copy of the catalog. Writes lock the product's row until the transaction ends. */
export function productCopies(db: Queryable) {
  async function find(id: string): Promise<StoredProduct | undefined> {
    const { rows } = await db.query<ProductRow>(
      `SELECT id, sku, name, price_amount, price_currency, version, deleted FROM products WHERE id = $1`,
      [id],
    );
    return rows[0] ? toStoredProduct(rows[0]) : undefined;
  }

  return {
    find,

    /**
     * Keeps `product` unless the copy is newer or a tombstone, and answers what the
     * copy now holds. The upsert locks the row even when it changes nothing, so a
     * deletion waits for whoever just read the product to finish.
     */
    async save(product: ProductCopy): Promise<StoredProduct> {
      await db.query(
        `INSERT INTO products (id, sku, name, price_amount, price_currency, version)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET sku = EXCLUDED.sku, name = EXCLUDED.name,
           price_amount = EXCLUDED.price_amount, price_currency = EXCLUDED.price_currency,
           version = EXCLUDED.version, refreshed_at = now()
         WHERE NOT products.deleted AND products.version <= EXCLUDED.version`,
        [
          product.id,
          product.sku,
          product.name,
          product.price.amount,
          product.price.currency,
          product.version,
        ],
      );
      const saved = await find(product.id);
      if (!saved) throw new Error(`product copy ${product.id} vanished while locked`);
      return saved;
    },

    /** A new price, unless the copy is newer; undefined if there is no live copy to reprice. */
    async reprice(id: string, price: Money, version: number): Promise<StoredProduct | undefined> {
      const { rows } = await db.query<ProductRow>(
        `UPDATE products SET price_amount = $2, price_currency = $3, version = $4, refreshed_at = now()
         WHERE id = $1 AND NOT deleted AND version <= $4
         RETURNING id, sku, name, price_amount, price_currency, version, deleted`,
        [id, price.amount, price.currency, version],
      );
      return rows[0] ? toStoredProduct(rows[0]) : undefined;
    },

    /** Marks the product deleted for good (catalog ids are never reused). */
    async tombstone(id: string, sku: string, version: number, currency: string): Promise<void> {
      await db.query(
        `INSERT INTO products (id, sku, name, price_amount, price_currency, version, deleted)
         VALUES ($1, $2, '', 0, $3, $4, true)
         ON CONFLICT (id) DO UPDATE SET deleted = true, version = GREATEST(products.version, EXCLUDED.version),
           refreshed_at = now()`,
        [id, sku, currency, version],
      );
    },

    /** Takes the product out of every cart; answers how many carts held it. */
    async dropFromCarts(id: string): Promise<number> {
      const { rowCount } = await db.query(
        `WITH dropped AS (DELETE FROM cart_items WHERE product_id = $1 RETURNING cart_id)
         UPDATE carts SET updated_at = now() WHERE id IN (SELECT cart_id FROM dropped)`,
        [id],
      );
      return rowCount ?? 0;
    },
  };
}

interface CartLineRow {
  updated_at: Date;
  product_id: string | null;
  quantity: number | null;
  sku: string | null;
  name: string | null;
  price_amount: number | null;
  price_currency: string | null;
}

export interface StoredCart {
  id: string;
  updatedAt: Date;
  lines: CartLine[];
}

/** Carts and their lines. Every change first locks the cart's row (`lock`), so changes to one cart queue up. */
export function cartStore(db: Queryable) {
  return {
    /** The cart with its lines (oldest first) at the copy's current prices; undefined if it has no row. */
    async load(owner: Owner): Promise<StoredCart | undefined> {
      const { rows } = await db.query<CartLineRow>(
        `SELECT c.updated_at, i.product_id, i.quantity, p.sku, p.name, p.price_amount, p.price_currency
         FROM carts c
         LEFT JOIN (cart_items i JOIN products p ON p.id = i.product_id AND NOT p.deleted) ON i.cart_id = c.id
         WHERE c.owner_kind = $1 AND c.owner_id = $2
         ORDER BY i.added_at, i.product_id`,
        [owner.kind, owner.id],
      );
      const first = rows[0];
      if (!first) return undefined;
      const lines: CartLine[] = [];
      for (const row of rows) {
        if (row.product_id === null || row.quantity === null) continue;
        lines.push({
          productId: row.product_id,
          sku: row.sku ?? '',
          name: row.name ?? '',
          quantity: row.quantity,
          unitPrice: { amount: row.price_amount ?? 0, currency: row.price_currency ?? '' },
        });
      }
      return { id: cartIdOf(owner), updatedAt: first.updated_at, lines };
    },

    /** The owner's cart, created if need be, locked and marked changed now. */
    async lock(owner: Owner): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO carts (id, owner_kind, owner_id) VALUES ($1, $2, $3)
         ON CONFLICT (owner_kind, owner_id) DO UPDATE SET updated_at = now()
         RETURNING id`,
        [cartIdOf(owner), owner.kind, owner.id],
      );
      const id = rows[0]?.id;
      if (!id) throw new Error(`no cart row for ${owner.kind} ${owner.id}`);
      return id;
    },

    /** The owner's cart locked, if it exists (never creates one). */
    async lockIfExists(owner: Owner): Promise<string | undefined> {
      const { rows } = await db.query<{ id: string }>(
        'SELECT id FROM carts WHERE owner_kind = $1 AND owner_id = $2 FOR UPDATE',
        [owner.kind, owner.id],
      );
      return rows[0]?.id;
    },

    async lines(cartId: string): Promise<Line[]> {
      const { rows } = await db.query<{ productId: string; quantity: number }>(
        `SELECT product_id AS "productId", quantity FROM cart_items WHERE cart_id = $1
         ORDER BY added_at, product_id`,
        [cartId],
      );
      return rows;
    },

    async quantityOf(cartId: string, productId: string): Promise<number> {
      const { rows } = await db.query<{ quantity: number }>(
        'SELECT quantity FROM cart_items WHERE cart_id = $1 AND product_id = $2',
        [cartId, productId],
      );
      return rows[0]?.quantity ?? 0;
    },

    /** Sets each line's quantity, adding the lines the cart lacks (after its others). */
    async writeLines(cartId: string, lines: readonly Line[]): Promise<void> {
      if (lines.length === 0) return;
      await db.query(
        `INSERT INTO cart_items (cart_id, product_id, quantity)
         SELECT $1, line.product_id, line.quantity
         FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS line(product_id, quantity, ord)
         ORDER BY line.ord
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
        [cartId, lines.map((line) => line.productId), lines.map((line) => line.quantity)],
      );
    },

    async removeLine(cartId: string, productId: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM cart_items WHERE cart_id = $1 AND product_id = $2', [
        cartId,
        productId,
      ]);
      return (rowCount ?? 0) > 0;
    },

    /** Deletes the owner's cart and its lines; answers whether there was one. */
    async remove(owner: Owner): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM carts WHERE owner_kind = $1 AND owner_id = $2', [
        owner.kind,
        owner.id,
      ]);
      return (rowCount ?? 0) > 0;
    },
  };
}

/** Records that the order's cart was emptied; false if it already was (a repeated order.created). */
export async function recordCheckout(db: Queryable, orderId: string, userId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO checkouts (order_id, user_id) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING',
    [orderId, userId],
  );
  return (rowCount ?? 0) > 0;
}

/** Deletes guest carts untouched for `days`; their cookie has expired by then. */
export async function deleteIdleGuestCarts(db: Queryable, days: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM carts WHERE owner_kind = 'guest' AND updated_at < now() - make_interval(days => $1)`,
    [days],
  );
  return rowCount ?? 0;
}
