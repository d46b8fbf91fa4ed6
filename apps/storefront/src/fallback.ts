// TEMPORARY: composes the storefront's two composed pages from the public catalog and
// inventory APIs while the gateway does not serve `/api/v1/storefront/home` and
// `/api/v1/storefront/products/{id}` yet (it answers those with its generic 404). The
// same shapes as the contract (`packages/contracts/src/storefront.ts`), and the same
// rules (availability unknown when inventory fails, named in `warnings`). Delete this
// file, and its two calls in composed.ts, once the gateway's routes have landed.
import type { catalog, inventory, storefront } from '@platform/contracts';
import { stockStatusOf } from './domain/words.ts';
import type { Caller, Gateway } from './gateway.ts';

const FEATURED = 8;
/** Products the featured shelf is chosen from (one call, which the gateway caches). */
const CHOOSE_FROM = 100;
const RELATED = 4;

type Warnings = storefront.Warning[];

async function availabilityOf(
  gateway: Gateway,
  productId: string,
  warnings: Warnings,
): Promise<storefront.Availability> {
  try {
    const answer = await gateway.get<inventory.StockLevel>(`/api/v1/inventory/${productId}`);
    if (answer.ok) return { status: stockStatusOf(answer.body.available), available: answer.body.available };
  } catch {
    // Unknown, below.
  }
  if (!warnings.some((warning) => warning.part === 'availability'))
    warnings.push({ part: 'availability', detail: 'inventory did not answer' });
  return { status: 'unknown', available: null };
}

async function shelf(gateway: Gateway, products: catalog.Product[], warnings: Warnings) {
  return Promise.all(
    products.map(async (product) => ({
      product,
      availability: await availabilityOf(gateway, product.id, warnings),
    })),
  );
}

/** `count` products taken in turn from each category, so the shelf shows the whole shop. */
export function spreadOverCategories(products: catalog.Product[], count: number): catalog.Product[] {
  const byCategory = new Map<string, catalog.Product[]>();
  for (const product of products)
    byCategory.set(product.category, [...(byCategory.get(product.category) ?? []), product]);
  const chosen: catalog.Product[] = [];
  for (let round = 0; chosen.length < Math.min(count, products.length); round++) {
    for (const list of byCategory.values()) {
      const next = list[round];
      if (next && chosen.length < count) chosen.push(next);
    }
  }
  return chosen;
}

function essential<T>(answer: { ok: true; body: T } | { ok: false; status: number }, what: string): T {
  if (!answer.ok) throw new Error(`${what} answered ${answer.status}`);
  return answer.body;
}

export async function composeHome(gateway: Gateway, caller: Caller): Promise<storefront.StorefrontHome> {
  const warnings: Warnings = [];
  const [categories, products, cart] = await Promise.all([
    gateway.get<catalog.CategoryList>('/api/v1/categories'),
    gateway.get<catalog.ProductPage>(`/api/v1/products?limit=${CHOOSE_FROM}`),
    caller.token
      ? gateway.get<{ itemCount: number }>('/api/v1/cart', { token: caller.token }).catch(() => undefined)
      : undefined,
  ]);
  return {
    categories: essential(categories, 'the catalog').data,
    featured: await shelf(
      gateway,
      spreadOverCategories(essential(products, 'the catalog').data, FEATURED),
      warnings,
    ),
    cart: cart?.ok ? { itemCount: cart.body.itemCount } : null,
    pricesStale: false,
    warnings,
  };
}

/** The product's page; undefined when the catalog has no such product. */
export async function composeProductPage(
  gateway: Gateway,
  productId: string,
): Promise<storefront.StorefrontProductPage | undefined> {
  const found = await gateway.get<catalog.Product>(`/api/v1/products/${productId}`);
  if (!found.ok && found.status < 500) return undefined;
  const product = essential(found, 'the catalog');
  const warnings: Warnings = [];
  const [availability, others] = await Promise.all([
    availabilityOf(gateway, product.id, warnings),
    gateway
      .get<catalog.ProductPage>(
        `/api/v1/products?category=${encodeURIComponent(product.category)}&limit=${RELATED + 1}`,
      )
      .catch(() => undefined),
  ]);
  const related = others?.ok
    ? others.body.data.filter((other) => other.id !== product.id).slice(0, RELATED)
    : [];
  if (!others?.ok) warnings.push({ part: 'related', detail: 'the catalog did not list related products' });
  return {
    product,
    availability,
    related: await shelf(gateway, related, warnings),
    priceStale: false,
    warnings,
  };
}
