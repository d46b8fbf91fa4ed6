// The cart: shown, added to, a quantity changed, a line removed. A guest's cart gets its
// id with the first item, kept in the session (so it survives a reload and a restart).
import { type App, isUuid } from '@platform/chassis';
import type { cart } from '@platform/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answered } from './gateway.ts';
import { cartBody, cartProblem } from './pages/cart.ts';
import { callerOf, cartCall, render, type ShopDeps, type Visit, visitOf } from './visit.ts';

/** The form's quantity, 1 to 99, or undefined. */
function quantityOf(form: Record<string, unknown>): number | undefined {
  const value = typeof form.quantity === 'string' ? form.quantity.trim() : '';
  return /^\d{1,2}$/.test(value) && Number(value) >= 1 ? Number(value) : undefined;
}

/** A guest changing their cart gets a cart id first (kept in the session). */
async function withCart(deps: ShopDeps, visit: Visit): Promise<Visit> {
  if (visit.shopper.user || visit.shopper.guestId) return visit;
  visit.shopper = { ...visit.shopper, guestId: await deps.sessions.guestCartOf(visit.shopper) };
  visit.caller = callerOf(visit.shopper);
  return visit;
}

async function showCart(deps: ShopDeps, request: FastifyRequest, reply: FastifyReply, problem?: string) {
  const visit = visitOf(request);
  let view: cart.Cart | undefined;
  // A guest who never added anything has no cart to ask for.
  if (visit.shopper.user || visit.shopper.guestId) {
    view = answered(await cartCall(deps, visit, { method: 'GET', path: '/api/v1/cart' }), 'the cart');
  }
  const body = cartBody(view, { formToken: visit.formToken, signedIn: Boolean(visit.shopper.user) });
  return render(deps, request, reply, 'Your cart', body, {
    cartCount: view?.itemCount ?? 0,
    ...(problem ? { problem, status: 422 } : {}),
  });
}

export function registerCartRoutes(shop: App, deps: ShopDeps): void {
  shop.get('/cart', (request, reply) => showCart(deps, request, reply));

  shop.post('/cart/items', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const productId = typeof form.productId === 'string' ? form.productId : '';
    const quantity = quantityOf(form);
    if (!isUuid(productId) || !quantity)
      return showCart(deps, request, reply, cartProblem('VALIDATION_FAILED'));
    const visit = await withCart(deps, visitOf(request));
    const answer = await cartCall(deps, visit, {
      method: 'POST',
      path: '/api/v1/cart/items',
      body: { productId, quantity },
    });
    if (!answer.ok) return showCart(deps, request, reply, cartProblem(answer.problem.code));
    return reply.redirect('/cart?done=added', 303);
  });

  shop.post('/cart/items/:productId', async (request, reply) => {
    const { productId } = request.params as { productId: string };
    const quantity = quantityOf((request.body ?? {}) as Record<string, unknown>);
    if (!isUuid(productId) || !quantity)
      return showCart(deps, request, reply, cartProblem('VALIDATION_FAILED'));
    const answer = await cartCall(deps, visitOf(request), {
      method: 'PATCH',
      path: `/api/v1/cart/items/${productId}`,
      body: { quantity },
    });
    if (!answer.ok) return showCart(deps, request, reply, cartProblem(answer.problem.code));
    return reply.redirect('/cart?done=updated', 303);
  });

  shop.post('/cart/items/:productId/remove', async (request, reply) => {
    const { productId } = request.params as { productId: string };
    if (!isUuid(productId)) return showCart(deps, request, reply, cartProblem('ITEM_NOT_IN_CART'));
    const answer = await cartCall(deps, visitOf(request), {
      method: 'DELETE',
      path: `/api/v1/cart/items/${productId}`,
    });
    if (!answer.ok) return showCart(deps, request, reply, cartProblem(answer.problem.code));
    return reply.redirect('/cart?done=removed', 303);
  });
}
