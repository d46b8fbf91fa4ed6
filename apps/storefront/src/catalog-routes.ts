// Browsing: the home page, a category's pages, search (and its suggestions as the
// shopper types), a product's page.
import { type App, isUuid } from '@platform/chassis';
import type { catalog } from '@platform/contracts';
import { markupOf } from '@platform/web';
import { homePage, productPage } from './composed.ts';
import { PageNotFound } from './errors.ts';
import { type Answer, answered } from './gateway.ts';
import { homeBody, listingBody, productBody, suggestions } from './pages/catalog.ts';
import { render, type ShopDeps, visitOf } from './visit.ts';

export const PAGE_SIZE = 24;
const SUGGESTIONS = 6;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** `?page=` as a page number (1 when absent or not one). */
function pageOf(query: unknown): number {
  const value = (query as { page?: string }).page ?? '';
  return /^[1-9]\d{0,2}$/.test(value) ? Number(value) : 1;
}

function queryOf(query: unknown): string {
  const value = (query as { q?: unknown }).q;
  return typeof value === 'string' ? value.trim().slice(0, 200) : '';
}

function listed(answer: Answer<catalog.ProductPage>): catalog.ProductPage {
  return answered(answer, 'the catalog');
}

export function registerCatalogRoutes(shop: App, deps: ShopDeps): void {
  const { gateway } = deps;

  shop.get('/', async (request, reply) => {
    const visit = visitOf(request);
    const home = await homePage(gateway, visit.caller);
    const known =
      home.cart && visit.shopper.user && !visit.shopper.guestId ? { cartCount: home.cart.itemCount } : {};
    return render(deps, request, reply, 'Welcome to the shop', homeBody(home), known);
  });

  shop.get('/c/:category', async (request, reply) => {
    const { category } = request.params as { category: string };
    if (!SLUG.test(category)) throw new PageNotFound(`No category ${category}`);
    const page = pageOf(request.query);
    const [categories, products] = await Promise.all([
      gateway.get<catalog.CategoryList>('/api/v1/categories'),
      gateway.get<catalog.ProductPage>(
        `/api/v1/products?category=${category}&limit=${PAGE_SIZE}&page=${page}`,
      ),
    ]);
    const found = answered(categories, 'the catalog').data.find((each) => each.id === category);
    if (!found) throw new PageNotFound(`No category ${category}`);
    const { data, pagination } = listed(products);
    const body = listingBody(
      data,
      { ...pagination, href: (n) => `/c/${category}?page=${n}` },
      { label: found.name, empty: 'Nothing in this category just now.', intro: found.description },
    );
    return render(deps, request, reply, found.name, body);
  });

  shop.get('/search', async (request, reply) => {
    const q = queryOf(request.query);
    if (!q)
      return render(
        deps,
        request,
        reply,
        'Search',
        listingBody(
          [],
          { page: 1, totalPages: 0, total: 0, href: () => '' },
          { label: '', empty: 'Type what you are looking for in the search box.' },
        ),
        { query: '' },
      );
    const page = pageOf(request.query);
    const { data, pagination } = listed(
      await gateway.get(`/api/v1/products?q=${encodeURIComponent(q)}&limit=${PAGE_SIZE}&page=${page}`),
    );
    const body = listingBody(
      data,
      { ...pagination, href: (n) => `/search?q=${encodeURIComponent(q)}&page=${n}` },
      { label: `Results for ${q}`, empty: `No products match “${q}”. Try fewer or other words.` },
    );
    return render(deps, request, reply, `Results for “${q}”`, body, { query: q });
  });

  // As the shopper types (the page's script asks): a fragment, not a page.
  shop.get('/search/suggest', async (request, reply) => {
    const q = queryOf(request.query);
    const found = q
      ? listed(await gateway.get(`/api/v1/products?q=${encodeURIComponent(q)}&limit=${SUGGESTIONS}`))
      : { data: [], pagination: { total: 0 } };
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(markupOf(suggestions(q, found.data, found.pagination.total)));
  });

  shop.get('/p/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!isUuid(id)) throw new PageNotFound(`No product ${id}`);
    const view = await productPage(gateway, visitOf(request).caller, id.toLowerCase());
    if (!view) throw new PageNotFound(`No product ${id}`);
    return render(deps, request, reply, view.product.name, productBody(view, visitOf(request).formToken));
  });
}
