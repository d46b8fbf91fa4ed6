import type { Pool } from '@platform/chassis';
import { withTransaction } from '@platform/chassis';
import { colours, editions, seedCategories } from './catalog-data.ts';

export interface SeedProduct {
  sku: string;
  name: string;
  description: string;
  priceAmount: number;
  currency: string;
  category: string;
  attributes: Record<string, string | number>;
}

/** Deterministic pseudo-random numbers (mulberry32), so the seed is the same everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every brand makes every kind of product in its department: 10 x 6 x 4 = 240 products. */
export function seedProducts(): SeedProduct[] {
  const next = random(20261122);
  const products: SeedProduct[] = [];
  for (const category of seedCategories) {
    category.kinds.forEach(([kind, description, [low, high], weight], kindIndex) => {
      category.brands.forEach((brand, brandIndex) => {
        const edition = editions[Math.floor(next() * editions.length)] ?? '';
        const colour = colours[Math.floor(next() * colours.length)] ?? 'Black';
        // Prices end in 99, like a shop's do.
        const price = Math.round((low + next() * (high - low)) / 100) * 100 - 1;
        products.push({
          sku: `${category.id.slice(0, 3).toUpperCase()}-${brand.slice(0, 3).toUpperCase()}-${kindIndex + 1}${brandIndex + 1}`,
          name: [brand, kind, edition].filter(Boolean).join(' '),
          description: `${description} By ${brand}, in ${colour.toLowerCase()}.`,
          priceAmount: Math.max(price, 99),
          currency: 'USD',
          category: category.id,
          attributes: { brand, colour, weightGrams: Math.round(weight * (0.8 + next() * 0.4)) },
        });
      });
    });
  }
  return products;
}

const SEED_NAME = 'demo-catalog-v1';

/**
 * Loads the demo catalog once. The `seed_runs` row is inserted in the same
 * transaction as the products, so a restart or a second instance starting at the
 * same moment (it waits on the row lock, then finds it) adds nothing.
 */
export async function seedCatalog(pool: Pool): Promise<{ inserted: number }> {
  return withTransaction(pool, async (client) => {
    const claim = await client.query('INSERT INTO seed_runs (name) VALUES ($1) ON CONFLICT DO NOTHING', [
      SEED_NAME,
    ]);
    if (claim.rowCount === 0) return { inserted: 0 };
    for (const category of seedCategories) {
      await client.query(
        'INSERT INTO categories (id, name, description) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        [category.id, category.name, category.description],
      );
    }
    const products = seedProducts();
    const inserted = await client.query(
      `INSERT INTO products (sku, name, description, price_amount, price_currency, category_id, attributes)
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS p(sku text, name text, description text, "priceAmount" bigint, currency text, category text, attributes jsonb)
       ON CONFLICT (sku) DO NOTHING`,
      [JSON.stringify(products)],
    );
    await client.query(
      `UPDATE products SET image_url = '/api/v1/products/' || id || '/image' WHERE image_url = ''`,
    );
    return { inserted: inserted.rowCount ?? 0 };
  });
}
