import { type Contribution, changeBetween, contributionOf } from './contribution.ts';
import {
  evolve,
  type FactLine,
  type OrderFacts,
  orderIdOf,
  type ProjectedEvent,
  sameFacts,
} from './order-facts.ts';

// What a batch of events does to the read models, worked out in memory. Pure.
//
// Each order's facts go from what was stored to what its events in the batch make of
// them; every view moves by the sum over those orders of (contribution after) -
// (contribution before): what applying the events one at a time would have added up
// to, in one row change per view row.

export interface ProductName {
  productId: string;
  sku: string;
  name: string;
  placedAt: string;
}

export interface BatchEffect {
  /** The orders whose facts changed, as they are now. */
  changed: OrderFacts[];
  /** What every view moves by, rows sorted by key. */
  change: Contribution;
  /** Each product's sku and name from the most recently placed order in the batch, by product. */
  names: ProductName[];
}

const concat = (all: Contribution[]): Contribution => ({
  funnel: all.flatMap((c) => c.funnel),
  daily: all.flatMap((c) => c.daily),
  categories: all.flatMap((c) => c.categories),
  products: all.flatMap((c) => c.products),
  delivery: all.flatMap((c) => c.delivery),
});

/** Keeps the newest placing of each product (the first heard on a tie), sorted by product. */
function newestNames(named: Array<{ lines: FactLine[]; placedAt: string }>): ProductName[] {
  const byProduct = new Map<string, ProductName>();
  for (const { lines, placedAt } of named) {
    for (const { productId, sku, name } of lines) {
      const known = byProduct.get(productId);
      if (!known || Date.parse(placedAt) > Date.parse(known.placedAt))
        byProduct.set(productId, { productId, sku, name, placedAt });
    }
  }
  return [...byProduct.values()].sort((a, b) => (a.productId < b.productId ? -1 : 1));
}

/** The effect of `events` (each applied once, in order) on orders whose stored facts are `stored`. */
export function batchEffect(stored: Map<string, OrderFacts>, events: ProjectedEvent[]): BatchEffect {
  const now = new Map(stored);
  const named: Array<{ lines: FactLine[]; placedAt: string }> = [];
  for (const event of events) {
    const orderId = orderIdOf(event);
    const before = now.get(orderId);
    if (!before) throw new Error(`order ${orderId} was not loaded for its event ${event.id}`);
    const after = evolve(before, event);
    if (sameFacts(before, after)) continue;
    now.set(orderId, after);
    if (event.type === 'order.created' && after.lines && after.placedAt)
      named.push({ lines: after.lines, placedAt: after.placedAt });
  }
  const moved = [...now.values()].filter((facts) => {
    const was = stored.get(facts.orderId);
    return was !== undefined && !sameFacts(was, facts);
  });
  const was = moved.map((facts) => stored.get(facts.orderId) as OrderFacts);
  return {
    changed: moved,
    change: changeBetween(concat(was.map(contributionOf)), concat(moved.map(contributionOf))),
    names: newestNames(named),
  };
}
