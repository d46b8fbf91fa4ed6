import { type Logger, type Pool, peerUnavailable, type Queryable, withTransaction } from '@platform/chassis';
import type { cart } from '@platform/contracts';
import type { CatalogLookup } from './catalog-client.ts';
import { cartIdOf, type Owner } from './domain/owner.ts';
import { priceCart } from './domain/pricing.ts';
import { addToLine, type Line, MAX_LINE_QUANTITY, mergeLines } from './domain/quantity.ts';
import {
  CatalogUnavailable,
  CurrencyNotSupported,
  ItemNotInCart,
  QuantityTooLarge,
  UnknownProduct,
} from './errors.ts';
import { cartStore, type ProductCopy, productCopies } from './store.ts';

export interface CartDeps {
  pool: Pool;
  catalog: CatalogLookup;
  /** The shop's currency. */
  currency: string;
  log: Logger;
}

export type CartOperations = ReturnType<typeof cartOperations>;

/** What a shopper can do to their cart; each change is one transaction on the locked cart. */
export function cartOperations(deps: CartDeps) {
  const { pool, currency } = deps;

  async function view(db: Queryable, owner: Owner): Promise<cart.Cart> {
    const stored = await cartStore(db).load(owner);
    const contents = stored ?? { id: cartIdOf(owner), updatedAt: new Date(), lines: [] };
    return priceCart({ owner, ...contents }, currency);
  }

  /**
   * Today's product from the catalog. If the catalog is unavailable, the last copy
   * we hold will do (the order re-checks prices at checkout); with none, 503. Any
   * other failure (the catalog's 500) is rethrown: a 503 would be counted against
   * the cart by the gateway's breaker (docs/decisions/011).
   */
  async function currentProduct(productId: string): Promise<ProductCopy> {
    let found: ProductCopy | undefined;
    try {
      found = await deps.catalog.product(productId);
    } catch (error) {
      if (!peerUnavailable(error)) throw error;
      const copy = await productCopies(pool).find(productId);
      if (copy && !copy.deleted) {
        deps.log.warn({ err: error, productId }, 'catalog unavailable; adding at the last known price');
        return copy;
      }
      const detail = error instanceof Error ? error.message : 'the catalog did not answer';
      throw new CatalogUnavailable(`Cannot look up product ${productId}: ${detail}`, { cause: error });
    }
    if (!found) throw new UnknownProduct(`The catalog has no product ${productId}`);
    return found;
  }

  function ensureSellable(product: ProductCopy): void {
    if (product.price.currency !== currency) {
      throw new CurrencyNotSupported(
        `Product ${product.id} is priced in ${product.price.currency}; this shop sells in ${currency}`,
      );
    }
  }

  return {
    view: (owner: Owner) => view(pool, owner),

    async addItem(owner: Owner, productId: string, quantity: number): Promise<cart.Cart> {
      const fetched = await currentProduct(productId);
      ensureSellable(fetched);
      return withTransaction(pool, async (client) => {
        // The product row first, then the cart: the same order a deletion takes.
        const product = await productCopies(client).save(fetched);
        if (product.deleted) throw new UnknownProduct(`Product ${productId} has been deleted`);
        ensureSellable(product);
        const carts = cartStore(client);
        const cartId = await carts.lock(owner);
        const outcome = addToLine(await carts.quantityOf(cartId, productId), quantity);
        if (!outcome.ok) {
          throw new QuantityTooLarge(
            `The cart holds ${outcome.current} of ${productId}; at most ${outcome.room} more fit (limit ${MAX_LINE_QUANTITY})`,
            { extensions: { inCart: outcome.current, maxAddable: outcome.room } },
          );
        }
        await carts.writeLines(cartId, [{ productId, quantity: outcome.quantity }]);
        return view(client, owner);
      });
    },

    async changeQuantity(owner: Owner, productId: string, quantity: number): Promise<cart.Cart> {
      return withTransaction(pool, async (client) => {
        const carts = cartStore(client);
        const cartId = await carts.lock(owner);
        if ((await carts.quantityOf(cartId, productId)) === 0) {
          throw new ItemNotInCart(`Product ${productId} is not in the cart`);
        }
        await carts.writeLines(cartId, [{ productId, quantity }]);
        return view(client, owner);
      });
    },

    /** Idempotent: removing a product the cart lacks answers the cart as it is. */
    async removeItem(owner: Owner, productId: string): Promise<cart.Cart> {
      return withTransaction(pool, async (client) => {
        const carts = cartStore(client);
        const cartId = await carts.lockIfExists(owner);
        if (cartId) await carts.removeLine(cartId, productId);
        return view(client, owner);
      });
    },

    async clear(owner: Owner): Promise<cart.Cart> {
      await cartStore(pool).remove(owner);
      return view(pool, owner);
    },

    /**
     * Folds guest carts into the user's (quantities summed, capped) and deletes them.
     * Guest carts are locked first, in id order, then the user's: two merges cannot
     * deadlock, and a repeated merge finds no guest cart and changes nothing.
     */
    async merge(userId: string, guestIds: readonly string[]): Promise<void> {
      await withTransaction(pool, async (client) => {
        const carts = cartStore(client);
        const guestLines = new Map<string, number>();
        for (const guestId of guestIds) {
          const guestCart = await carts.lockIfExists({ kind: 'guest', id: guestId });
          if (!guestCart) continue;
          for (const line of await carts.lines(guestCart)) {
            guestLines.set(line.productId, (guestLines.get(line.productId) ?? 0) + line.quantity);
          }
          await carts.remove({ kind: 'guest', id: guestId });
        }
        if (guestLines.size === 0) return;
        const userCart = await carts.lock({ kind: 'user', id: userId });
        const incoming: Line[] = [...guestLines].map(([productId, quantity]) => ({ productId, quantity }));
        await carts.writeLines(userCart, mergeLines(await carts.lines(userCart), incoming));
        deps.log.info({ userId, lines: guestLines.size }, 'guest cart merged into the user cart');
      });
    },
  };
}
