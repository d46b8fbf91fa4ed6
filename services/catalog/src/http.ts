import { type App, etagOf, matchesIfNoneMatch, pageInfo, pageLinks, Type } from '@platform/chassis';
import { catalog } from '@platform/contracts';
import { placeholderImage } from './domain/placeholder-image.ts';
import { ProductNotFound } from './errors.ts';
import type { CatalogStore } from './store.ts';

const ProductParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const PUBLIC = { access: 'public' } as const;
const SERVICE = { access: 'service' } as const;

export function registerCatalogRoutes(app: App, store: CatalogStore): void {
  app.get(
    '/api/v1/products',
    {
      config: PUBLIC,
      schema: {
        summary: 'Search and list products',
        tags: ['catalog'],
        querystring: catalog.ProductListQuery,
        response: { 200: catalog.ProductPage },
      },
    },
    async (request) => {
      const { q, category, page, limit } = request.query;
      const { items, total } = await store.searchProducts({ q, category, page, limit });
      const info = pageInfo(page, limit, total);
      return { data: items, pagination: info, _links: pageLinks('/api/v1/products', request.query, info) };
    },
  );

  app.get(
    '/api/v1/products/:id',
    {
      config: { ...PUBLIC, errors: [ProductNotFound] },
      schema: {
        summary: 'One product; send If-None-Match with its ETag to revalidate',
        tags: ['catalog'],
        params: ProductParams,
        response: { 200: catalog.Product, 304: Type.Null() },
      },
    },
    async (request, reply) => {
      const product = await store.findProduct(request.params.id);
      if (!product) throw new ProductNotFound(`No product with id ${request.params.id}`);
      const etag = etagOf(product);
      reply.header('etag', etag).header('cache-control', 'public, max-age=30, must-revalidate');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
      return product;
    },
  );

  app.get(
    '/api/v1/products/:id/image',
    {
      config: { ...PUBLIC, errors: [ProductNotFound] },
      schema: {
        summary: "The product's picture (SVG)",
        tags: ['catalog'],
        params: ProductParams,
        produces: ['image/svg+xml'],
      },
    },
    async (request, reply) => {
      const product = await store.findProduct(request.params.id);
      if (!product) throw new ProductNotFound(`No product with id ${request.params.id}`);
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'public, max-age=86400')
        .send(placeholderImage(product));
    },
  );

  app.get(
    '/internal/products',
    {
      config: SERVICE,
      schema: {
        summary: 'Products looked up together (the order service prices an order with one call)',
        tags: ['catalog'],
        querystring: catalog.ProductLookupQuery,
        response: { 200: catalog.ProductList },
      },
    },
    async (request) => ({ data: await store.findProducts(request.query.id) }),
  );

  app.get(
    '/api/v1/categories',
    {
      config: PUBLIC,
      schema: {
        summary: 'Every category with its product count',
        tags: ['catalog'],
        response: { 200: catalog.CategoryList },
      },
    },
    async () => ({ data: await store.listCategories() }),
  );
}
