// Stock rules, without I/O: what an order needs, what is missing, when stock runs low,
// and who in the line for held stock is served or refused when the shelf changes.

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
 * Where a new order stands. Reserved if every line fits what is available. Refused
 * only if the shelf cannot cover some line even were every hold let go: stock held
 * by orders still in flight is not sold, and a busy shop does not turn a buyer away
 * for units that may come back. Otherwise the order waits in line for them.
 */
export type Standing = 'reserve' | 'wait' | 'refuse';

export function standingOf(needed: readonly StockLine[], counts: ReadonlyMap<string, StockCount>): Standing {
  if (shortagesFor(needed, counts).length === 0) return 'reserve';
  const onShelf = (line: StockLine) => (counts.get(line.productId)?.onHand ?? 0) >= line.quantity;
  return needed.every(onShelf) ? 'wait' : 'refuse';
}

/** An order waiting in line for held stock. */
export interface Waiter {
  orderId: string;
  lines: StockLine[];
}

export interface LineMoves<W extends Waiter> {
  /** Their stock is theirs now. */
  served: W[];
  refused: Array<{ orderId: string; shortages: Shortage[] }>;
}

/**
 * After stock came free or left the shelf: in arrival order, each waiter whose lines
 * fit now is served (a big order ahead does not block a small one that fits), each
 * the shelf can no longer cover is refused, and the rest keep their place.
 */
export function moveLine<W extends Waiter>(
  waiters: readonly W[],
  counts: ReadonlyMap<string, StockCount>,
): LineMoves<W> {
  const now = new Map(counts);
  const moves: LineMoves<W> = { served: [], refused: [] };
  for (const waiter of waiters) {
    const needed = combineLines(waiter.lines);
    const standing = standingOf(needed, now);
    if (standing === 'refuse') {
      moves.refused.push({ orderId: waiter.orderId, shortages: shortagesFor(needed, now) });
    } else if (standing === 'reserve') {
      moves.served.push(waiter);
      for (const line of needed) {
        const count = now.get(line.productId);
        if (count) now.set(line.productId, { ...count, reserved: count.reserved + line.quantity });
      }
    }
  }
  return moves;
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
