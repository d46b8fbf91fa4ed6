import { type Peers, Type } from '@platform/chassis';
import { Money } from '@platform/contracts';
import { Compile } from 'typebox/compile';
import type { ProductCopy } from './store.ts';

/** The part of the catalog's `Product` the cart relies on; other fields may come and go. */
const CatalogProduct = Compile(
  Type.Object({
    id: Type.String(),
    sku: Type.String(),
    name: Type.String(),
    price: Money,
    version: Type.Integer({ minimum: 1 }),
  }),
);

export interface CatalogLookup {
  /** The product as the catalog has it now; undefined if the catalog has no such product. */
  product(id: string): Promise<ProductCopy | undefined>;
}

/**
 * Looks products up in the catalog (`GET /api/v1/products/:id`) through the resilient
 * peer client, in its catalog client's own time (the cart's `CATALOG_TIMEOUT_MS`).
 */
export function catalogLookup(peers: Peers<'catalog'>): CatalogLookup {
  return {
    async product(id) {
      const { status, body } = await peers.call<unknown>('catalog', {
        method: 'GET',
        path: `/api/v1/products/${encodeURIComponent(id)}`,
      });
      if (status === 404) return undefined;
      // The catalog answers its uuids in lowercase, whatever case was asked.
      if (status !== 200 || !CatalogProduct.Check(body) || body.id !== id.toLowerCase()) {
        throw new Error(`catalog answered ${status} with no usable product to GET /api/v1/products/${id}`);
      }
      return { id: body.id, sku: body.sku, name: body.name, price: body.price, version: body.version };
    },
  };
}
