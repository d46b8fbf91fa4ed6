import type { storefront } from '@platform/contracts';

/** At or below this many units a product shows as `low` (inventory announces low stock at the same count). */
export const LOW_STOCK_UNITS = 5;

/** What a shopper sees when inventory did not answer. */
export const UNKNOWN_AVAILABILITY: storefront.Availability = { status: 'unknown', available: null };

/**
 * How much of a product can be ordered now, from what inventory says is available.
 * `undefined`: inventory keeps no stock for the product (a new one whose event it has
 * not seen yet), so none can be reserved: out of stock, not unknown.
 */
export function availabilityOf(available: number | undefined): storefront.Availability {
  const units = Math.max(0, available ?? 0);
  if (units === 0) return { status: 'out-of-stock', available: 0 };
  return { status: units <= LOW_STOCK_UNITS ? 'low' : 'in-stock', available: units };
}
