// The shop's pages, each in one call (API composition at the edge, the storefront's
// backend for frontend): the home page and a product page, composed from the catalog,
// inventory and the cart through the same service clients the proxy uses (discovery,
// breaker, bulkhead, retry budget, deadlines; each call a child span of the request).
// The catalog is essential: when it fails, the gateway's stale copy answers, marked;
// with none, 503. Inventory, the cart and the recommendations are not: each has a short
// timeout, and when one fails the page still comes, the part marked (availability
// `unknown`, `cart: null`, `related: []`) and named in `warnings`. The
// `storefrontRecommendations` flag turns the recommendations off altogether.
import {
  type App,
  flags,
  ProblemError,
  type ServiceClient,
  ServiceUnavailable,
  Type,
  Unauthenticated,
} from '@platform/chassis';
import type { catalog, storefront } from '@platform/contracts';
import { storefront as schemas } from '@platform/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CatalogRead, type CatalogReads, readCatalog } from './catalog-reads.ts';
import { availabilityOf, UNKNOWN_AVAILABILITY } from './domain/availability.ts';
import { ProductNotFound } from './errors.ts';
import { reasonOf, unusableAnswer } from './part-failures.ts';
import { clientsFor, releaseVersion } from './release-routing.ts';
import type { Releases } from './releases.ts';
import type { ResponseCache } from './response-cache.ts';
import type { Upstream } from './routes.ts';

/** The catalog's time to answer before its stale copy is used: essential, so not short. */
const CATALOG_TIMEOUT_MS = 3_000;
/** The time each part that is not essential gets (inventory, cart, a shelf, recommendations). */
const PART_TIMEOUT_MS = 1_000;
/** Featured on the home page: the first product of each category, for this many categories at most. */
const FEATURED_CATEGORIES = 12;
/** Recommendations on a product page: the first others of its category. */
const RELATED_PRODUCTS = 4;

/**
 * A category's shelf: its first products in the catalog's order (by name). The home
 * page's pick and a product page's recommendations read the same URL, so they share
 * one cached copy per category (and with a shopper's own `?category=...&limit=5`).
 */
const shelfPath = (category: string) =>
  `/api/v1/products?category=${encodeURIComponent(category)}&limit=${RELATED_PRODUCTS + 1}`;

/** Anyone; a token, when sent, must be good (it picks the cart shown). */
const OPTIONAL_TOKEN: Array<Record<string, string[]>> = [{}, { bearer: [] }];
const PRIVATE = 'private, no-store';

type Warning = storefront.Warning;

/** A catalog read the page cannot do without: its failure, with no copy to answer from, is a 503. */
async function essential(reads: CatalogReads, path: string, what: string): Promise<CatalogRead> {
  try {
    return await readCatalog(reads, path, CATALOG_TIMEOUT_MS);
  } catch (error) {
    if (!(error instanceof ProblemError && error.status >= 500)) throw error;
    throw new ServiceUnavailable(
      `The catalog is needed and failed (${reasonOf(error, 'the catalog')}), and the gateway holds no copy of ${what}`,
      { headers: { 'retry-after': error.headers['retry-after'] ?? '5' }, cause: error },
    );
  }
}

/** The warning `part` carries when any of its catalog reads came from the gateway's stale copy. */
function staleWarning(
  part: string,
  what: string,
  reads: Array<CatalogRead | undefined>,
): Warning | undefined {
  const stale = reads.find((read) => read?.stale);
  if (!stale?.stale) return undefined;
  return {
    part,
    detail: `${what} the gateway's copy from ${stale.ageSeconds} s ago: ${reasonOf(stale.failure, 'the catalog')}`,
  };
}

interface Shelf {
  products: catalog.Product[];
  /** The catalog read, to tell whether it is stale. */
  read?: CatalogRead;
  warning?: Warning;
}

/** A category's shelf, or a warning instead: a shelf is not essential. */
async function shelf(reads: CatalogReads, category: string, part: string): Promise<Shelf> {
  try {
    const read = await readCatalog(reads, shelfPath(category), PART_TIMEOUT_MS);
    return { products: (read.body as catalog.ProductPage).data, read };
  } catch (error) {
    return { products: [], warning: { part, detail: reasonOf(error, 'the catalog') } };
  }
}

/** Each product with what inventory says of it, from one call; all `unknown` and a warning when it fails. */
async function shelfItems(
  inventory: ServiceClient,
  products: catalog.Product[],
): Promise<{ items: storefront.ShelfItem[]; warning?: Warning }> {
  if (products.length === 0) return { items: [] };
  const query = products.map((product) => `productId=${encodeURIComponent(product.id)}`).join('&');
  try {
    const response = await inventory.request({
      method: 'GET',
      path: `/api/v1/inventory?${query}`,
      headers: { accept: 'application/json' },
      timeoutMs: PART_TIMEOUT_MS,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw unusableAnswer('inventory', `answered ${response.statusCode}`);
    const levels = (JSON.parse(text) as { data: Array<{ productId: string; available: number }> }).data;
    const available = new Map(levels.map((level) => [level.productId.toLowerCase(), level.available]));
    return {
      items: products.map((product) => ({
        product,
        availability: availabilityOf(available.get(product.id.toLowerCase())),
      })),
    };
  } catch (error) {
    return {
      items: products.map((product) => ({ product, availability: UNKNOWN_AVAILABILITY })),
      warning: { part: 'availability', detail: `availability unknown: ${reasonOf(error, 'inventory')}` },
    };
  }
}

/** The signed-in caller's cart item count, asked as them; null and a warning when the cart fails. */
async function cartCount(
  cart: ServiceClient,
  authorization: string,
): Promise<{ value: storefront.StorefrontHome['cart']; warning?: Warning }> {
  try {
    const response = await cart.request({
      method: 'GET',
      path: '/api/v1/cart',
      headers: { accept: 'application/json', authorization },
      timeoutMs: PART_TIMEOUT_MS,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw unusableAnswer('the cart', `answered ${response.statusCode}`);
    return { value: { itemCount: (JSON.parse(text) as { itemCount: number }).itemCount } };
  } catch (error) {
    return { value: null, warning: { part: 'cart', detail: reasonOf(error, 'the cart') } };
  }
}

/** Marks a composed answer: never stored by a shared cache, and degraded when anything is missing or stale. */
function markAnswer(reply: FastifyReply, warnings: Warning[]): void {
  reply.header('cache-control', PRIVATE);
  const marks: string[] = [];
  if (warnings.some((warning) => warning.part === 'prices')) marks.push('110 gateway "Response is Stale"');
  if (warnings.some((warning) => warning.part !== 'prices')) marks.push('199 gateway "Partial response"');
  if (marks.length) reply.header('warning', marks.join(', '));
}

const present = <T>(value: T | undefined): value is T => value !== undefined;

const RECOMMENDATIONS_OFF = 'recommendations not fetched: turned off (flag storefrontRecommendations)';

/** One warning for the categories whose featured product could not be read, if any. */
function missingShelves(shelves: Shelf[]): Warning | undefined {
  const missing = shelves.filter((each) => each.warning);
  const first = missing[0]?.warning;
  if (!first) return undefined;
  return {
    part: 'featured',
    detail: `${missing.length} of ${shelves.length} categories have no featured product: ${first.detail}`,
  };
}

/** `GET /api/v1/storefront/home` and `/products/:id`; who may call them, and how often, is in the route table. */
export function registerStorefront(
  app: App,
  deps: { clients: Record<Upstream, ServiceClient>; cache: ResponseCache; releases: Releases },
): void {
  /** The clients and catalog reads of one request: each upstream's version its caller's release gives. */
  const scoped = (request: FastifyRequest) => {
    const clients = clientsFor(deps.releases, deps.clients, request);
    const version = releaseVersion(deps.releases, 'catalog', request);
    const reads: CatalogReads = { client: clients.catalog, cache: deps.cache, version };
    return { clients, reads };
  };

  app.get(
    '/api/v1/storefront/home',
    {
      config: { errors: [Unauthenticated] },
      schema: {
        summary:
          'The home page in one call: categories, a featured product of each with its availability, and the signed-in shopper’s cart count; what is missing or stale is named in warnings',
        tags: ['storefront'],
        security: OPTIONAL_TOKEN,
        response: { 200: schemas.StorefrontHome },
      },
    },
    async (request, reply) => {
      // On a public route the chassis drops a bad token; here it would quietly show a
      // guest's page to someone who is signed in, so it is refused, as the cart does.
      const authorization = request.headers.authorization;
      if (authorization !== undefined && !request.principal) {
        throw new Unauthenticated('The access token is invalid or has expired', {
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        });
      }
      const { clients, reads } = scoped(request);
      const cart: ReturnType<typeof cartCount> = authorization
        ? cartCount(clients.cart, authorization)
        : Promise.resolve({ value: null });
      const categories = await essential(reads, '/api/v1/categories', 'the categories');
      const listed = (categories.body as catalog.CategoryList).data;
      const shelves = await Promise.all(
        listed
          .filter((category) => category.productCount > 0)
          .slice(0, FEATURED_CATEGORIES)
          .map((category) => shelf(reads, category.id, 'featured')),
      );
      const featured = shelves.flatMap((each) => each.products.slice(0, 1));
      const [availability, cartPart] = await Promise.all([shelfItems(clients.inventory, featured), cart]);
      const prices = staleWarning('prices', 'products and prices are', [
        categories,
        ...shelves.map((each) => each.read),
      ]);
      const warnings = [prices, missingShelves(shelves), availability.warning, cartPart.warning].filter(
        present,
      );
      markAnswer(reply, warnings);
      const page: storefront.StorefrontHome = {
        categories: listed,
        featured: availability.items,
        cart: cartPart.value,
        pricesStale: prices !== undefined,
        warnings,
      };
      return page;
    },
  );

  app.get(
    '/api/v1/storefront/products/:id',
    {
      // The catalog's own answer when the product is not there.
      config: { errors: [ProductNotFound] },
      schema: {
        summary:
          'A product page in one call: the product, its availability and related products with theirs; what is missing or stale is named in warnings',
        tags: ['storefront'],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: schemas.StorefrontProductPage },
      },
    },
    async (request, reply) => {
      // Lowercase, as the catalog answers ids, so this page and the product's own URL share one cached copy.
      const id = request.params.id.toLowerCase();
      const { clients, reads } = scoped(request);
      const read = await essential(reads, `/api/v1/products/${id}`, 'this product');
      const product = read.body as catalog.Product;
      const recommend = await flags.boolean('storefrontRecommendations', false);
      const related: Shelf = recommend
        ? await shelf(reads, product.category, 'related')
        : { products: [], warning: { part: 'related', detail: RECOMMENDATIONS_OFF } };
      const others = related.products.filter((each) => each.id !== product.id).slice(0, RELATED_PRODUCTS);
      // One inventory call for the product and its recommendations.
      const stock = await shelfItems(clients.inventory, [product, ...others]);
      const [own, ...relatedItems] = stock.items;
      const warnings = [
        staleWarning('prices', 'the product and its price are', [read]),
        related.warning ?? staleWarning('related', 'related products and their prices are', [related.read]),
        stock.warning,
      ].filter(present);
      markAnswer(reply, warnings);
      const page: storefront.StorefrontProductPage = {
        product,
        availability: own?.availability ?? UNKNOWN_AVAILABILITY,
        related: relatedItems,
        priceStale: read.stale,
        warnings,
      };
      return page;
    },
  );
}
