// Stock rules, without I/O: what an order needs, what is missing, when stock runs low.

export interface StockLine {
  productId: string;
  quantity: number;
}

export interface StockCount {
  productId: string;
  onHand: number;
  reserved: number;
}

export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

export interface LowStockAlert {
  productId: string;
  available: number;
  threshold: number;
}

/** What can still be promised: on the shelf and not promised yet. */
export function availableOf(count: Pick<StockCount, 'onHand' | 'reserved'>): number {
  return count.onHand - count.reserved;
}

/**
 * One line per product (an order may name a product twice), in product-id order:
 * the order in which stock rows are locked, so two orders never deadlock.
 */
export function combineLines(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return [...totals]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** Lines that the counts cannot cover; a product without a count has nothing available. */
export function shortagesFor(
  needed: readonly StockLine[],
  counts: ReadonlyMap<string, StockCount>,
): Shortage[] {
  const shortages: Shortage[] = [];
  for (const line of needed) {
    const count = counts.get(line.productId);
    const available = count ? Math.max(0, availableOf(count)) : 0;
    if (available < line.quantity) {
      shortages.push({ productId: line.productId, requested: line.quantity, available });
    }
  }
  return shortages;
}

/**
 * Products whose availability went from at or above `threshold` to below it. Only a
 * downward crossing alerts: staying low, or going lower, says nothing new.
 */
export function lowStockCrossings(
  before: ReadonlyMap<string, StockCount>,
  after: readonly StockCount[],
  threshold: number,
): LowStockAlert[] {
  const alerts: LowStockAlert[] = [];
  for (const count of after) {
    const previous = before.get(count.productId);
    if (!previous) continue;
    const was = availableOf(previous);
    const now = availableOf(count);
    if (was >= threshold && now < threshold) {
      alerts.push({ productId: count.productId, available: now, threshold });
    }
  }
  return alerts;
}
