// What shoppers know of the shop, read once in setup: categories with their pages,
// searches with their results, the products in stock for buyers and the one sold out.
// Every path a step sends is written here once, so a step builds no string of its own.

export interface Product {
  id: string;
  /** GET /api/v1/products/{id} */
  path: string;
  /** GET /api/v1/inventory/{id} */
  stockPath: string;
}

export interface Listing {
  /** The request that shows it. */
  path: string;
  /** What it shows: where a shopper's next product comes from. */
  products: Product[];
}

export interface Category {
  id: string;
  /** Page n is `pages[n - 1]`. */
  pages: Listing[];
}

export interface Search extends Listing {
  prefix: string;
}

export interface Catalog {
  categories: Category[];
  searches: Search[];
  /** Products with generous stock, for buyers. */
  stocked: Product[];
  /** A product with none, for sold-out attempts. */
  outOfStock: Product;
}

export const PAGE_SIZE = 12;

export function productOf(id: string): Product {
  return { id, path: `/api/v1/products/${id}`, stockPath: `/api/v1/inventory/${id}` };
}

export const categoryPage = (category: string, page: number) =>
  `/api/v1/products?category=${encodeURIComponent(category)}&page=${page}&limit=${PAGE_SIZE}`;

export const searchPath = (prefix: string) =>
  `/api/v1/products?q=${encodeURIComponent(prefix)}&limit=${PAGE_SIZE}`;

/**
 * Search words a shopper might type: the first three letters of the words of product
 * names (four letters or more), each once, in the order met.
 */
export function searchPrefixes(names: readonly string[]): string[] {
  const prefixes = new Set<string>();
  for (const name of names)
    for (const word of name.toLowerCase().match(/\p{L}{4,}/gu) ?? []) prefixes.add(word.slice(0, 3));
  return [...prefixes];
}
