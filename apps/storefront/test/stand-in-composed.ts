// The storefront pages the gateway composes (`/api/v1/storefront/*`), in the stand-in
// gateway: from its own catalog, stock and carts, as the real gateway composes them.
import type { catalog, storefront } from '@platform/contracts';
import { stockStatusOf } from '../src/domain/words.ts';
import { CATEGORIES, type StandIn } from './stand-in-gateway.ts';
import { type On, problem } from './stand-in-http.ts';

/** `count` products taken in turn from each category, so the shelf shows the whole shop. */
function spreadOverCategories(products: catalog.Product[], count: number): catalog.Product[] {
  const byCategory = new Map<string, catalog.Product[]>();
  for (const each of products)
    byCategory.set(each.category, [...(byCategory.get(each.category) ?? []), each]);
  const chosen: catalog.Product[] = [];
  for (let round = 0; chosen.length < Math.min(count, products.length); round++)
    for (const list of byCategory.values()) {
      const next = list[round];
      if (next && chosen.length < count) chosen.push(next);
    }
  return chosen;
}

/**
 * The storefront contract's pages, composed from the stand-in's own catalog, stock and
 * carts as the gateway composes them (`services/gateway/src/storefront.ts`): stock that
 * `fails` is availability unknown with a warning. `composedPages: 'stale'` answers as the
 * gateway does with the catalog down and only its old copy to serve.
 */
export function addComposedRoutes(on: On, standIn: () => StandIn): void {
  const shelf = (products: catalog.Product[], warnings: storefront.Warning[]) =>
    products.map((each) => {
      const count = standIn().stock.get(each.id) ?? 10;
      if (count === 'fails' || standIn().composedPages === 'stale') {
        if (!warnings.some((w) => w.part === 'availability'))
          warnings.push({ part: 'availability', detail: 'inventory did not answer' });
        return { product: each, availability: { status: 'unknown' as const, available: null } };
      }
      return { product: each, availability: { status: stockStatusOf(count), available: count } };
    });
  on('GET', /^\/api\/v1\/storefront\/home$/, ({ userId }) => {
    const { products, carts, composedPages } = standIn();
    const warnings: storefront.Warning[] = [];
    const categories = CATEGORIES.map((c) => ({
      ...c,
      productCount: products.filter((each) => each.category === c.id).length,
    }));
    const featured = shelf(spreadOverCategories(products, 8), warnings);
    const lines = userId ? carts.get(`user:${userId}`) : undefined;
    const cart = userId ? { itemCount: [...(lines?.values() ?? [])].reduce((sum, n) => sum + n, 0) } : null;
    const pricesStale = composedPages === 'stale';
    if (pricesStale)
      warnings.push({ part: 'prices', detail: "the gateway's copy: the catalog did not answer" });
    return { status: 200, body: { categories, featured, cart, pricesStale, warnings } };
  });
  on('GET', /^\/api\/v1\/storefront\/products\/([^/?]+)$/, ({ match }) => {
    const { products, composedPages } = standIn();
    const found = products.find((each) => each.id === match[1]);
    if (!found) return problem(404, 'PRODUCT_NOT_FOUND');
    const warnings: storefront.Warning[] = [];
    const [availability] = shelf([found], warnings).map((item) => item.availability);
    const others = products.filter((each) => each.category === found.category && each.id !== found.id);
    const related = composedPages === 'stale' ? [] : shelf(others.slice(0, 4), warnings);
    if (composedPages === 'stale') warnings.push({ part: 'related', detail: 'not fetched' });
    const body = { product: found, availability, related, priceStale: composedPages === 'stale', warnings };
    return { status: 200, body };
  });
}
