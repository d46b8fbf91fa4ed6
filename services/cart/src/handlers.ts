import type { Bus, Envelope, Logger, Tx } from '@platform/chassis';
import type { EventData, EventType, eventSchemas } from '@platform/contracts';
import { cartStore, productCopies, recordCheckout } from './store.ts';

type Events = typeof eventSchemas;

/** The event's data; the bus has already checked it against the type's contract. */
function dataOf<T extends EventType>(event: Envelope, _type: T): EventData<T> {
  return event.data as EventData<T>;
}

/**
 * Keeps the cart's copy of the catalog fresh (group `cart-catalog`). Events older than
 * the copy change nothing; a deleted product leaves every cart, and so does one whose
 * new price is in a currency the shop does not sell in.
 */
export async function followCatalog(bus: Bus<Events>, currency: string, log: Logger): Promise<void> {
  await bus.subscribe(
    'cart-catalog',
    ['catalog.product.updated', 'catalog.product.price-changed', 'catalog.product.deleted'],
    async (event, { tx }) => {
      const copies = productCopies(tx);
      if (event.type === 'catalog.product.updated') {
        const product = dataOf(event, 'catalog.product.updated');
        const { productId: id, sku, name, price, version } = product;
        const copy = await copies.save({ id, sku, name, price, version });
        if (!copy.deleted && copy.price.currency !== currency) await dropProduct(tx, id, 'currency');
      } else if (event.type === 'catalog.product.price-changed') {
        const change = dataOf(event, 'catalog.product.price-changed');
        const copy = await copies.reprice(change.productId, change.price, change.version);
        if (copy && copy.price.currency !== currency) await dropProduct(tx, change.productId, 'currency');
      } else if (event.type === 'catalog.product.deleted') {
        const deleted = dataOf(event, 'catalog.product.deleted');
        await copies.tombstone(deleted.productId, deleted.sku, deleted.version, currency);
        await dropProduct(tx, deleted.productId, 'deleted');
      }
    },
  );

  async function dropProduct(tx: Tx<Events>, productId: string, why: 'deleted' | 'currency') {
    const carts = await productCopies(tx).dropFromCarts(productId);
    if (carts > 0) log.info({ productId, carts, why }, 'product taken out of carts');
  }
}

/**
 * Empties the cart an order was placed from (group `cart-orders`) and says so with
 * `cart.checked-out`, once per order even if order.created comes again under a new id.
 */
export async function followOrders(bus: Bus<Events>): Promise<void> {
  await bus.subscribe(
    'cart-orders',
    ['order.created'],
    async (event, { tx }) => {
      if (event.type !== 'order.created') return;
      const order = dataOf(event, 'order.created');
      if (order.fromCart !== true) return;
      if (!(await recordCheckout(tx, order.orderId, order.userId))) return;
      await cartStore(tx).remove({ kind: 'user', id: order.userId });
      await tx.publish({
        type: 'cart.checked-out',
        subject: order.orderId,
        data: { userId: order.userId, orderId: order.orderId },
      });
    },
    { maxBatch: 32 },
  );
}
