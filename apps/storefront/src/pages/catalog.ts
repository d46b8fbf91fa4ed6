// The catalog as shoppers browse it: the home page, a category, search results and the
// suggestions typed searches get, and one product's page.
import type { catalog, storefront } from '@platform/contracts';
import { type Html, html } from '@platform/web';
import { money, stockWords } from '../domain/words.ts';
import { formTokenField } from './layout.ts';

type Product = catalog.Product;
type Availability = storefront.Availability;

/** The product's picture: the catalog's, served through the gateway (same origin); nothing from elsewhere. */
export function picture(product: Product, options: { eager?: boolean; alt?: string } = {}): Html {
  const src = product.imageUrl.startsWith('/') ? product.imageUrl : '/assets/placeholder.svg';
  return html`<img src="${src}" alt="${options.alt ?? ''}" width="600" height="600"${options.eager ? '' : html` loading="lazy"`}>`;
}

function stock(availability: Availability): Html {
  return html`<span class="stock ${availability.status}">${stockWords(availability.status, availability.available)}</span>`;
}

/** One product in a grid: picture, name (the link), price, and its stock when known. */
export function productCard(product: Product, availability?: Availability, eager = false): Html {
  return html`<li class="card">
<a href="/p/${product.id}">${picture(product, { eager })}<span class="name">${product.name}</span></a>
<span class="price">${money(product.price)}</span>${availability ? stock(availability) : ''}
</li>`;
}

/** Products as a grid; the first row's pictures load at once, the rest as they scroll into view. */
export function productGrid(
  items: Array<{ product: Product; availability?: Availability }>,
  label: string,
): Html {
  return html`<ul class="grid" aria-label="${label}">${items.map((item, i) => productCard(item.product, item.availability, i < 4))}</ul>`;
}

function warnings(list: storefront.Warning[], stale: boolean): Html {
  if (!stale && list.length === 0) return html``;
  return html`<p class="notice problem" role="status">${stale ? 'Prices shown may be out of date: the catalog is slow to answer just now. ' : ''}${list.length ? 'Some of this page could not be loaded just now.' : ''}</p>`;
}

export function homeBody(home: storefront.StorefrontHome): Html {
  return html`${warnings(home.warnings, home.pricesStale)}
<section aria-labelledby="categories-title">
<h2 id="categories-title">Shop by category</h2>
<ul class="categories">${home.categories.map(
    (category) =>
      html`<li><a href="/c/${category.id}">${category.name}</a> <span class="muted">${category.productCount} products</span></li>`,
  )}</ul>
</section>
<section aria-labelledby="featured-title">
<h2 id="featured-title">Featured</h2>
${productGrid(home.featured, 'Featured products')}
</section>`;
}

export interface Paging {
  page: number;
  totalPages: number;
  total: number;
  /** The page's URL with `page` set to a number. */
  href(page: number): string;
}

/** Previous and next links, and where the shopper is. */
export function pager(paging: Paging): Html {
  if (paging.totalPages <= 1) return html``;
  const { page, totalPages } = paging;
  return html`<nav class="pager" aria-label="Pages">
${page > 1 ? html`<a href="${paging.href(page - 1)}" rel="prev">Previous page</a>` : ''}
<span>Page ${page} of ${totalPages}</span>
${page < totalPages ? html`<a href="${paging.href(page + 1)}" rel="next">Next page</a>` : ''}
</nav>`;
}

export function listingBody(
  products: Product[],
  paging: Paging,
  options: { label: string; empty: string; intro?: string },
): Html {
  if (products.length === 0) return html`<p>${options.empty}</p>`;
  const first = (paging.page - 1) * 24 + 1;
  return html`${options.intro ? html`<p>${options.intro}</p>` : ''}
<p class="muted">${paging.total} products${paging.totalPages > 1 ? `, ${first} to ${first + products.length - 1} shown` : ''}.</p>
${productGrid(
  products.map((product) => ({ product })),
  options.label,
)}
${pager(paging)}`;
}

/** What the search box shows under itself as the shopper types: a few matches, as links. */
export function suggestions(query: string, products: Product[], total: number): Html {
  if (!query) return html``;
  if (products.length === 0) return html`<p>No products match “${query}”.</p>`;
  return html`<p class="visually-hidden">${total} products match “${query}”.</p><ul>${products.map(
    (product) =>
      html`<li><a href="/p/${product.id}">${product.name}</a> <span class="price">${money(product.price)}</span></li>`,
  )}</ul>${total > products.length ? html`<a href="/search?q=${encodeURIComponent(query)}">All ${total} results</a>` : ''}`;
}

function addToCart(product: Product, availability: Availability, formToken: string): Html {
  if (availability.status === 'out-of-stock') return html`<p>Sold out: check back soon.</p>`;
  const most = Math.min(10, availability.available ?? 10);
  return html`<form method="post" action="/cart/items" class="add">
${formTokenField(formToken)}<input type="hidden" name="productId" value="${product.id}">
<label for="quantity">Quantity</label>
<select id="quantity" name="quantity">${Array.from({ length: most }, (_, i) => html`<option>${i + 1}</option>`)}</select>
<button type="submit">Add to cart</button>
</form>`;
}

function details(attributes: Product['attributes']): Html {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return html``;
  return html`<dl class="details">${entries.map(([name, value]) => html`<dt>${name.replace(/([A-Z])/g, ' $1').toLowerCase()}</dt><dd>${String(value)}</dd>`)}</dl>`;
}

export function productBody(view: storefront.StorefrontProductPage, formToken: string): Html {
  const { product, availability } = view;
  return html`${warnings(view.warnings, view.priceStale)}
<div class="product">
${picture(product, { eager: true, alt: product.name })}
<div>
<p class="price big">${money(product.price)}</p>
<p id="availability">${stock(availability)}</p>
${addToCart(product, availability, formToken)}
<p>${product.description}</p>
${details(product.attributes)}
<p class="muted">Article ${product.sku} · <a href="/c/${product.category}">More in this category</a></p>
</div>
</div>
${
  view.related.length
    ? html`<section aria-labelledby="related-title"><h2 id="related-title">You may also like</h2>${productGrid(view.related, 'Related products')}</section>`
    : ''
}`;
}
