// Before the measured window, off the clock: read the catalog as shoppers will see it
// (categories page by page, searches with their results), give the products buyers
// take generous stock and one product none, and sign the shopper accounts in. Only
// what a user or an operator could do: the public API and the administrator's routes.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Account, account, type Session } from './accounts.ts';
import {
  type Catalog,
  type Category,
  categoryPage,
  PAGE_SIZE,
  type Product,
  productOf,
  type Search,
  searchPath,
  searchPrefixes,
} from './catalog.ts';
import { Random } from './random.ts';

export interface SetupOptions {
  gateway: string;
  admin: { email: string; password: string };
  /** Shopper accounts to sign in. */
  shoppers: number;
  seed: number;
  log: (line: string) => void;
  /** The first 429 of the setup: the platform's rate limits are in the way. */
  onRateLimited: () => void;
}

export class SetupError extends Error {}

/** Stock enough for any run: the inventory contract's maximum. */
const GENEROUS = 1_000_000;
/** Products per category that buyers take (each one PUT as the administrator). */
const STOCKED_PER_CATEGORY = 3;
const SEARCHES = 40;
const SHOPPER_PASSWORD = 'load generator shopper passphrase';

interface Answer<T> {
  status: number;
  body: T;
}

/** fetch with a JSON body, waiting out 429s (Retry-After) for up to three minutes in all. */
class SetupClient {
  readonly #gateway: string;
  readonly #onRateLimited: () => void;
  #waitedMs = 0;

  constructor(gateway: string, onRateLimited: () => void) {
    this.#gateway = gateway;
    this.#onRateLimited = onRateLimited;
  }

  async call<T>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Answer<T>> {
    for (;;) {
      const response = await fetch(`${this.#gateway}${path}`, {
        method,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await response.text();
      if (response.status === 429 && this.#waitedMs < 180_000) {
        this.#onRateLimited();
        const waitMs = Math.min(10_000, Math.max(1, Number(response.headers.get('retry-after') ?? 1)) * 1000);
        this.#waitedMs += waitMs;
        await sleep(waitMs);
        continue;
      }
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
    }
  }

  async ok<T>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
    statuses = [200],
  ) {
    const answer = await this.call<T>(method, path, options);
    if (!statuses.includes(answer.status))
      throw new SetupError(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}

type ProductPage = { data: Array<{ id: string; name: string }> };

/** One object per product, whichever list it was met in: "is it stocked?" is then identity. */
class Products {
  readonly #byId = new Map<string, Product>();

  of(page: ProductPage): Product[] {
    return page.data.map(({ id }) => {
      let product = this.#byId.get(id);
      if (!product) {
        product = productOf(id);
        this.#byId.set(id, product);
      }
      return product;
    });
  }

  get size(): number {
    return this.#byId.size;
  }
}

async function readCategories(
  client: SetupClient,
  products: Products,
): Promise<{ categories: Category[]; names: string[] }> {
  const { data } = await client.ok<{ data: Array<{ id: string; productCount: number }> }>(
    'GET',
    '/api/v1/categories',
  );
  const names: string[] = [];
  const categories: Category[] = [];
  for (const { id, productCount } of data.filter((category) => category.productCount > 0)) {
    const pages = [];
    const count = Math.min(20, Math.ceil(productCount / PAGE_SIZE));
    for (let page = 1; page <= count; page++) {
      const path = categoryPage(id, page);
      const listing = await client.ok<ProductPage>('GET', path);
      names.push(...listing.data.map((product) => product.name));
      pages.push({ path, products: products.of(listing) });
    }
    categories.push({ id, pages });
  }
  if (!categories.length) throw new SetupError('the catalog has no category with products');
  return { categories, names };
}

async function readSearches(
  client: SetupClient,
  products: Products,
  names: string[],
  random: Random,
): Promise<Search[]> {
  const prefixes = searchPrefixes(names);
  for (let i = prefixes.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [prefixes[i], prefixes[j]] = [prefixes[j] as string, prefixes[i] as string];
  }
  const searches: Search[] = [];
  for (const prefix of prefixes.slice(0, SEARCHES)) {
    const path = searchPath(prefix);
    const listing = await client.ok<ProductPage>('GET', path);
    if (listing.data.length) searches.push({ prefix, path, products: products.of(listing) });
  }
  if (!searches.length) throw new SetupError('no search prefix found any product');
  return searches;
}

/** Inventory copies the catalog when it starts: wait until every category's last product has its row. */
async function stockRowsExist(client: SetupClient, categories: Category[]): Promise<void> {
  const lasts = categories
    .map((category) => category.pages.at(-1)?.products.at(-1))
    .filter((p) => p !== undefined);
  for (const deadline = Date.now() + 60_000; ; await sleep(500)) {
    const statuses = await Promise.all(
      lasts.map(async (product) => (await client.call('GET', product.stockPath)).status),
    );
    if (statuses.every((status) => status === 200)) return;
    if (Date.now() > deadline) throw new SetupError('inventory has no stock rows for the catalog after 60 s');
  }
}

async function setStock(client: SetupClient, token: string, categories: Category[]) {
  await stockRowsExist(client, categories);
  const stocked = categories.flatMap(
    (category) => category.pages[0]?.products.slice(0, STOCKED_PER_CATEGORY) ?? [],
  );
  for (const product of stocked)
    await client.ok('PUT', `/api/v1/inventory/${product.id}`, { token, body: { onHand: GENEROUS } });
  // The sold-out product: the last one listed that buyers do not take. Setting 0 fails
  // (409) while a previous run's orders still hold some: then the one before it.
  const candidates = categories
    .flatMap((category) => category.pages.flatMap((page) => page.products))
    .reverse();
  for (const product of candidates.filter((candidate) => !stocked.includes(candidate)).slice(0, 10)) {
    const answer = await client.call('PUT', `/api/v1/inventory/${product.id}`, {
      token,
      body: { onHand: 0 },
    });
    if (answer.status === 200) return { stocked, outOfStock: product };
  }
  throw new SetupError('no product could be set to 0 in stock');
}

/** Registers the shopper accounts (signing in those a previous run made) and empties their carts. */
async function signInShoppers(
  client: SetupClient,
  count: number,
  log: (line: string) => void,
): Promise<Account[]> {
  const accounts: Account[] = [];
  const one = async (n: number) => {
    const email = `loadgen-shopper-${n}@loadgen.test`;
    const body = { email, password: SHOPPER_PASSWORD, name: `Load Shopper ${n}` };
    const registered = await client.call<Session>('POST', '/api/v1/auth/register', { body });
    const session =
      registered.status === 201
        ? registered.body
        : await client.ok<Session>('POST', '/api/v1/auth/login', {
            body: { email, password: SHOPPER_PASSWORD },
          });
    await client.ok('DELETE', '/api/v1/cart', { token: session.accessToken });
    accounts.push(account(email, SHOPPER_PASSWORD, session));
    if (accounts.length % 10 === 0) log(`  ${accounts.length} of ${count} shoppers signed in`);
  };
  // Two at a time: each sign-in is an argon2 hash, and this machine has the platform on it too.
  for (let n = 1; n <= count; n += 2) await Promise.all([one(n), ...(n + 1 <= count ? [one(n + 1)] : [])]);
  return accounts.sort((a, b) => a.email.localeCompare(b.email, 'en', { numeric: true }));
}

export async function prepare(options: SetupOptions): Promise<{ catalog: Catalog; accounts: Account[] }> {
  const client = new SetupClient(options.gateway, options.onRateLimited);
  const admin = await client.ok<Session>('POST', '/api/v1/auth/login', { body: options.admin });
  options.log('setup: reading the catalog ...');
  const products = new Products();
  const { categories, names } = await readCategories(client, products);
  const searches = await readSearches(client, products, names, new Random(options.seed));
  options.log(`setup: ${categories.length} categories, ${searches.length} searches; setting stock ...`);
  const { stocked, outOfStock } = await setStock(client, admin.accessToken, categories);
  options.log(`setup: signing in ${options.shoppers} shoppers ...`);
  const accounts = await signInShoppers(client, options.shoppers, options.log);
  options.log(`setup: done (${products.size} products, ${stocked.length} stocked, 1 sold out)`);
  return { catalog: { categories, searches, stocked, outOfStock }, accounts };
}
