// The cart part of the stand-in gateway: carts of users and guests, a guest's folded into
// a signed-in user's when a call names both (as the cart service does).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { StandIn } from './stand-in-gateway.ts';
import { type On, problem } from './stand-in-http.ts';

export function addCartRoutes(on: On, standIn: () => StandIn): void {
  /** The caller's cart, folding a named guest cart into a signed-in user's (as the cart service does). */
  const cartOf = (userId: string | undefined, headers: IncomingMessage['headers']) => {
    const { carts } = standIn();
    const guest = typeof headers['x-guest-id'] === 'string' ? `guest:${headers['x-guest-id']}` : undefined;
    const owner = userId ? `user:${userId}` : guest;
    if (!owner) throw new Error('the storefront called the cart with neither a token nor a guest id');
    const lines = carts.get(owner) ?? new Map<string, number>();
    carts.set(owner, lines);
    if (userId && guest && carts.has(guest)) {
      for (const [id, quantity] of carts.get(guest) ?? [])
        lines.set(id, Math.min(99, (lines.get(id) ?? 0) + quantity));
      carts.delete(guest);
    }
    return { owner, lines };
  };
  const view = ({ owner, lines }: { owner: string; lines: Map<string, number> }) => {
    const items = [...lines].map(([productId, quantity]) => {
      const found = standIn().products.find((each) => each.id === productId);
      const unitPrice = found?.price ?? { amount: 0, currency: 'USD' };
      const lineTotal = { amount: unitPrice.amount * quantity, currency: 'USD' };
      return { productId, sku: found?.sku ?? '', name: found?.name ?? '', quantity, unitPrice, lineTotal };
    });
    const [kind, id] = owner.split(':');
    return {
      status: 200,
      body: {
        id: randomUUID(),
        owner: { kind, id },
        items,
        subtotal: { amount: items.reduce((sum, item) => sum + item.lineTotal.amount, 0), currency: 'USD' },
        itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
        updatedAt: new Date().toISOString(),
      },
    };
  };
  on('GET', /^\/api\/v1\/cart$/, ({ userId, headers }) => view(cartOf(userId, headers)));
  on('POST', /^\/api\/v1\/cart\/items$/, ({ userId, headers, body }) => {
    if (!standIn().products.some((each) => each.id === body.productId))
      return problem(422, 'UNKNOWN_PRODUCT');
    const cart = cartOf(userId, headers);
    const quantity = (cart.lines.get(String(body.productId)) ?? 0) + Number(body.quantity);
    if (quantity > 99) return problem(422, 'QUANTITY_TOO_LARGE');
    cart.lines.set(String(body.productId), quantity);
    return view(cart);
  });
  on('PATCH', /^\/api\/v1\/cart\/items\/([^/]+)$/, ({ userId, headers, body, match }) => {
    const cart = cartOf(userId, headers);
    if (!cart.lines.has(match[1] ?? '')) return problem(404, 'ITEM_NOT_IN_CART');
    cart.lines.set(match[1] ?? '', Number(body.quantity));
    return view(cart);
  });
  on('DELETE', /^\/api\/v1\/cart\/items\/([^/]+)$/, ({ userId, headers, match }) => {
    const cart = cartOf(userId, headers);
    cart.lines.delete(match[1] ?? '');
    return view(cart);
  });
}
