import {
  type App,
  type Bus,
  etagOf,
  matchesIfMatch,
  PreconditionFailed,
  PreconditionRequired,
  Type,
} from '@platform/chassis';
import { catalog, type eventSchemas } from '@platform/contracts';
import { ProductNotFound, SkuTaken, UnknownCategory } from './errors.ts';
import { productWrites } from './product-writes.ts';

const ADMIN = { access: 'admin' } as const;
const tags = ['catalog admin'];
const ProductParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 200 })) });
// What lockCurrent throws.
const LOCK_ERRORS = [PreconditionRequired, ProductNotFound, PreconditionFailed];

const snapshot = (product: catalog.Product) => ({
  productId: product.id,
  sku: product.sku,
  name: product.name,
  price: product.price,
  category: product.category,
  version: product.version,
});

/** The current product, locked, if the client's If-Match names its current ETag. */
async function lockCurrent(
  writes: ReturnType<typeof productWrites>,
  id: string,
  ifMatch: string | undefined,
) {
  if (!ifMatch) throw new PreconditionRequired('Send If-Match with the ETag from GET /api/v1/products/{id}');
  const product = await writes.lock(id);
  if (!product) throw new ProductNotFound(`No product with id ${id}`);
  if (!matchesIfMatch(ifMatch, etagOf(product))) {
    throw new PreconditionFailed('The product changed since you read it; read it again and retry', {
      extensions: { currentVersion: product.version },
    });
  }
  return product;
}

/** Admin writes: every change commits together with its event in the outbox. */
export function registerCatalogAdminRoutes(app: App, bus: Bus<typeof eventSchemas>): void {
  app.post(
    '/api/v1/products',
    {
      config: { ...ADMIN, errors: [SkuTaken, UnknownCategory] },
      schema: {
        tags,
        summary: 'Create a product',
        body: catalog.ProductCreate,
        response: { 201: catalog.Product },
      },
    },
    async (request, reply) => {
      const product = await bus.transaction(async (tx) => {
        const created = await productWrites(tx).insert(request.body);
        if (!created) throw new SkuTaken(`SKU ${request.body.sku} is taken`);
        await tx.publish({ type: 'catalog.product.created', subject: created.id, data: snapshot(created) });
        return created;
      });
      return reply
        .code(201)
        .header('etag', etagOf(product))
        .header('location', `/api/v1/products/${product.id}`)
        .send(product);
    },
  );

  app.put(
    '/api/v1/products/:id',
    {
      config: { ...ADMIN, errors: [...LOCK_ERRORS, UnknownCategory] },
      schema: {
        tags,
        summary: 'Replace a product (If-Match required)',
        params: ProductParams,
        headers: IfMatch,
        body: catalog.ProductReplace,
        response: { 200: catalog.Product },
      },
    },
    async (request, reply) => {
      const product = await bus.transaction(async (tx) => {
        const writes = productWrites(tx);
        const before = await lockCurrent(writes, request.params.id, request.headers['if-match']);
        const after = await writes.replace(before.id, request.body);
        await tx.publish({ type: 'catalog.product.updated', subject: after.id, data: snapshot(after) });
        if (before.price.amount !== after.price.amount || before.price.currency !== after.price.currency) {
          await tx.publish({
            type: 'catalog.product.price-changed',
            subject: after.id,
            data: {
              productId: after.id,
              previousPrice: before.price,
              price: after.price,
              version: after.version,
            },
          });
        }
        return after;
      });
      return reply.header('etag', etagOf(product)).send(product);
    },
  );

  app.delete(
    '/api/v1/products/:id',
    {
      config: { ...ADMIN, errors: LOCK_ERRORS },
      schema: {
        tags,
        summary: 'Delete a product (If-Match required)',
        params: ProductParams,
        headers: IfMatch,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
    },
    async (request, reply) => {
      await bus.transaction(async (tx) => {
        const writes = productWrites(tx);
        const product = await lockCurrent(writes, request.params.id, request.headers['if-match']);
        await writes.remove(product.id);
        await tx.publish({
          type: 'catalog.product.deleted',
          subject: product.id,
          data: { productId: product.id, sku: product.sku, version: product.version + 1 },
        });
      });
      return reply.code(204).send(null);
    },
  );
}
