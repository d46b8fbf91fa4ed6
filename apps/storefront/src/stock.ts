// What the shelf has now, asked of inventory through the gateway: the lines of a cart
// or an order it cannot fill, in words.
import type { inventory } from '@platform/contracts';
import { shortages } from './domain/explain.ts';
import type { Gateway } from './gateway.ts';

interface Line {
  productId: string;
  name: string;
  quantity: number;
}

/** What can be ordered of each product now; null where inventory did not say. */
async function availableNow(gateway: Gateway, productIds: string[]): Promise<Map<string, number | null>> {
  const counts = await Promise.all(
    productIds.map(async (id) => {
      try {
        const answer = await gateway.get<inventory.StockLevel>(`/api/v1/inventory/${id}`);
        return [id, answer.ok ? answer.body.available : null] as const;
      } catch {
        return [id, null] as const;
      }
    }),
  );
  return new Map(counts);
}

/** The lines (of a cart, or of an order) the shelf cannot fill now, in words. */
export async function unfillable(gateway: Gateway, lines: Line[], of: 'cart' | 'order'): Promise<string[]> {
  const available = await availableNow(
    gateway,
    lines.map((line) => line.productId),
  );
  return shortages(
    lines.map((line) => ({ ...line, available: available.get(line.productId) ?? null })),
    of,
  );
}
