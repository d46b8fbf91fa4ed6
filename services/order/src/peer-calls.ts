// What placing an order asks of other services over HTTP (place-order.ts): the
// shopper's cart, today's catalog entries of the products, and a payment method for
// the card. Each is one small call, exported so the consumer's pact tests
// (test/pacts/*.consumer.pact.ts) drive exactly the code checkout runs.
import type { Peers, Principal } from '@platform/chassis';
import type { cart, catalog, orders, payments } from '@platform/contracts';
import { CardRejected, CartEmpty } from './errors.ts';

export interface Wanted {
  lines: Array<{ productId: string; quantity: number }>;
  /** What the cart showed for each product, to detect a price that changed since. */
  shown: Map<string, number>;
  fromCart: boolean;
}

/**
 * The lines to order: the body's items (merged by product) when it has some, else the
 * caller's cart from the cart service (`GET /internal/carts/{userId}`); an empty cart
 * is CART_EMPTY.
 */
export async function wantedLines(
  peers: Peers<'cart'>,
  principal: Principal,
  body: orders.PlaceOrder,
): Promise<Wanted> {
  if (body.items) {
    const merged = new Map<string, number>();
    for (const item of body.items)
      merged.set(item.productId, (merged.get(item.productId) ?? 0) + item.quantity);
    const lines = [...merged].map(([productId, quantity]) => ({ productId, quantity }));
    return { lines, shown: new Map(), fromCart: false };
  }
  const { body: userCart } = await peers.call<cart.Cart>('cart', {
    method: 'GET',
    path: `/internal/carts/${encodeURIComponent(principal.subject)}`,
  });
  if (!userCart?.items?.length) throw new CartEmpty('Add something to the cart, or send items');
  return {
    lines: userCart.items.map(({ productId, quantity }) => ({ productId, quantity })),
    shown: new Map(userCart.items.map((item) => [item.productId, item.unitPrice.amount])),
    fromCart: true,
  };
}

/** Ids the catalog looks up in one call (`GET /internal/products`). */
const LOOKUP_SIZE = 100;

/** Today's catalog entry of each product, by lower-case id: one call for up to 100 of them. */
export async function catalogEntries(
  peers: Peers<'catalog'>,
  productIds: string[],
): Promise<Map<string, catalog.Product>> {
  const ids = [...new Set(productIds.map((id) => id.toLowerCase()))];
  const batches = Array.from({ length: Math.ceil(ids.length / LOOKUP_SIZE) }, (_, index) =>
    ids.slice(index * LOOKUP_SIZE, (index + 1) * LOOKUP_SIZE),
  );
  const found = await Promise.all(
    batches.map(async (batch) => {
      const { status, body } = await peers.call<catalog.ProductList>('catalog', {
        method: 'GET',
        path: `/internal/products?${batch.map((id) => `id=${id}`).join('&')}`,
      });
      if (status !== 200)
        throw new Error(`catalog answered ${status} to a lookup of ${batch.length} products`);
      return body.data;
    }),
  );
  return new Map(found.flat().map((product) => [product.id.toLowerCase(), product]));
}

/**
 * The card as a payment method (`POST /internal/payment-methods`): the payment
 * service's 201, or CARD_REJECTED with the payment service's own detail.
 */
export async function paymentMethod(peers: Peers<'payment'>, card: payments.CardInput) {
  const { status, body } = await peers.call<payments.PaymentMethod & { detail?: string }>('payment', {
    method: 'POST',
    path: '/internal/payment-methods',
    body: card,
  });
  if (status !== 201) throw new CardRejected(body?.detail ?? 'The card was not accepted');
  return body;
}
