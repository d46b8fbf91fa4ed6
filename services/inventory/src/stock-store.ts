// Stock rows, one per product: what is on hand and what is reserved of it.
import { prepared, type Queryable } from '@platform/chassis';
import type { inventory } from '@platform/contracts';
import type { StockCount } from './domain/stock.ts';

interface StockRow {
  product_id: string;
  on_hand: number;
  reserved: number;
}

// The products a batch touches, those its orders' reservations name, and those of the
// orders waiting in line for any of them: their stock rows, locked in product order.
const LOCK_WITH_LINE = prepared(
  `WITH touched AS (
     SELECT unnest($1::uuid[]) AS product_id
     UNION
     SELECT (line->>'productId')::uuid FROM reservations, jsonb_array_elements(lines) AS line
     WHERE order_id = ANY($2::uuid[])
   ), line AS (
     SELECT product_id FROM touched
     UNION
     SELECT (named->>'productId')::uuid FROM reservations, jsonb_array_elements(lines) AS named
     WHERE status = 'WAITING' AND EXISTS (SELECT 1 FROM jsonb_array_elements(lines) AS waited
       WHERE (waited->>'productId')::uuid IN (SELECT product_id FROM touched))
   )
   SELECT product_id, on_hand, reserved FROM stock WHERE product_id IN (SELECT product_id FROM line)
   ORDER BY product_id FOR UPDATE`,
);

const toCount = (row: StockRow): StockCount => ({
  productId: row.product_id,
  onHand: row.on_hand,
  reserved: row.reserved,
});

export function toStockLevel(count: StockCount): inventory.StockLevel {
  return {
    productId: count.productId,
    available: count.onHand - count.reserved,
    onHand: count.onHand,
    reserved: count.reserved,
  };
}

/** A change to one product's counts (deltas, applied together). */
export interface StockChange {
  productId: string;
  onHand: number;
  reserved: number;
}

/** $1-$3: products and the changes to their counts; the new counts (prepared: every reservation runs it). */
const LOCK_STOCK = prepared(
  `SELECT product_id, on_hand, reserved FROM stock WHERE product_id = ANY($1::uuid[])
   ORDER BY product_id FOR UPDATE`,
);

const APPLY_CHANGES = prepared(
  `UPDATE stock s SET on_hand = s.on_hand + c.on_hand, reserved = s.reserved + c.reserved, updated_at = now()
   FROM unnest($1::uuid[], $2::int[], $3::int[]) AS c(product_id, on_hand, reserved)
   WHERE s.product_id = c.product_id
   RETURNING s.product_id, s.on_hand, s.reserved`,
);

/** Stock rows: reads, locks (always in product-id order) and changes. */
export function stockStore(db: Queryable) {
  return {
    async find(productId: string): Promise<StockCount | undefined> {
      const { rows } = await db.query<StockRow>(
        'SELECT product_id, on_hand, reserved FROM stock WHERE product_id = $1',
        [productId],
      );
      return rows[0] ? toCount(rows[0]) : undefined;
    },

    /** The counts of `productIds` that have a row, once each, in the order of their first mention. */
    async findMany(productIds: readonly string[]): Promise<StockCount[]> {
      const { rows } = await db.query<StockRow>(
        `SELECT product_id, on_hand, reserved FROM stock WHERE product_id = ANY($1::uuid[])
         ORDER BY array_position($1::uuid[], product_id)`,
        [productIds],
      );
      return rows.map(toCount);
    },

    /** Locks the rows of `productIds` in product-id order (no deadlocks), returning their counts. */
    async lock(productIds: readonly string[]): Promise<Map<string, StockCount>> {
      const { rows } = await db.query<StockRow>(LOCK_STOCK([productIds]));
      return new Map(rows.map((row) => [row.product_id, toCount(row)]));
    },

    /**
     * Locks, in product-id order (the order every lock is taken in), the rows of
     * `products`, of the products the reservations of `orders` hold or wait for, and of
     * every product named by an order waiting for any of those (its line), in one
     * statement, so moving the line later rarely has a row left to lock; their counts.
     */
    async lockWithLine(touched: {
      products: readonly string[];
      orders?: readonly string[];
    }): Promise<Map<string, StockCount>> {
      const { rows } = await db.query<StockRow>(LOCK_WITH_LINE([touched.products, touched.orders ?? []]));
      return new Map(rows.map((row) => [row.product_id, toCount(row)]));
    },

    /** Applies `changes` (one per product, rows already locked); the new counts. */
    async apply(changes: readonly StockChange[]): Promise<StockCount[]> {
      if (changes.length === 0) return [];
      const { rows } = await db.query<StockRow>(
        APPLY_CHANGES([
          changes.map((c) => c.productId),
          changes.map((c) => c.onHand),
          changes.map((c) => c.reserved),
        ]),
      );
      return rows.map(toCount);
    },

    /** Rows for products that have none yet; how many were added. */
    async addMissing(productIds: readonly string[], onHand: number): Promise<number> {
      const { rowCount } = await db.query(
        `INSERT INTO stock (product_id, on_hand, received) SELECT unnest($1::uuid[]), $2::int, $2::int
         ON CONFLICT (product_id) DO NOTHING`,
        [productIds, onHand],
      );
      return rowCount ?? 0;
    },

    /** Sets what is on hand (the row is locked); the difference counts as received (or written off). */
    async setOnHand(productId: string, onHand: number): Promise<StockCount> {
      const { rows } = await db.query<StockRow>(
        `UPDATE stock SET on_hand = $2, received = received + ($2 - on_hand), updated_at = now()
         WHERE product_id = $1 RETURNING product_id, on_hand, reserved`,
        [productId, onHand],
      );
      if (!rows[0]) throw new Error(`stock row ${productId} vanished while locked`);
      return toCount(rows[0]);
    },

    /** Deletes the row unless something is reserved; false if it was kept (or absent). */
    async removeUnreserved(productId: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM stock WHERE product_id = $1 AND reserved = 0', [
        productId,
      ]);
      return (rowCount ?? 0) > 0;
    },
  };
}
