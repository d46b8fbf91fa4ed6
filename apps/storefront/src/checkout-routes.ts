// The checkout: the cart, an address and a card become an order. Before anything is
// placed, each line is checked against what the shelf has, so a line that cannot be
// filled is named in words and nothing is charged or reserved; what the platform refuses
// is said in words too. A placed order's page follows it (order-routes.ts).
import { randomUUID } from 'node:crypto';
import { type App, isUuid } from '@platform/chassis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { signInFirst } from './account-routes.ts';
import { type CheckoutFields, checkoutFields, readCheckout } from './domain/checkout-form.ts';
import { checkoutProblem } from './domain/explain.ts';
import { answered } from './gateway.ts';
import { checkoutBody } from './pages/checkout.ts';
import { unfillable } from './stock.ts';
import { cartCall, render, type ShopDeps, visitOf } from './visit.ts';

interface Attempt {
  fields: CheckoutFields;
  errors?: Partial<Record<keyof CheckoutFields, string>>;
  problem?: string;
  orderKey?: string;
  status?: number;
}

async function showCheckout(deps: ShopDeps, request: FastifyRequest, reply: FastifyReply, attempt: Attempt) {
  const visit = visitOf(request);
  const cart = answered(await cartCall(deps, visit, { method: 'GET', path: '/api/v1/cart' }), 'the cart');
  if (cart.items.length === 0) return reply.redirect('/cart', 303);
  const body = checkoutBody({
    cart,
    fields: attempt.fields,
    errors: attempt.errors ?? {},
    shortages: await unfillable(deps.gateway, cart.items, 'cart'),
    formToken: visit.formToken,
    orderKey: attempt.orderKey ?? randomUUID(),
  });
  return render(deps, request, reply, 'Checkout', body, {
    cartCount: cart.itemCount,
    problem: attempt.problem,
    ...(attempt.status ? { status: attempt.status } : {}),
  });
}

export function registerCheckoutRoutes(shop: App, deps: ShopDeps): void {
  shop.get('/checkout', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const name = visitOf(request).shopper.user?.name ?? '';
    return showCheckout(deps, request, reply, { fields: checkoutFields({ name }) });
  });

  shop.post('/checkout', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const form = (request.body ?? {}) as Record<string, unknown>;
    // A repeat of the same form (a double press, a reload) is the same order.
    const orderKey =
      typeof form.orderKey === 'string' && isUuid(form.orderKey) ? form.orderKey : randomUUID();
    const fields = checkoutFields(form);
    const reading = readCheckout(fields);
    // Shown again to correct: never the security code.
    const again = { ...fields, cvc: '' };
    if (!reading.ok)
      return showCheckout(deps, request, reply, {
        fields: again,
        errors: reading.errors,
        orderKey,
        status: 422,
      });
    const visit = visitOf(request);
    const current = answered(
      await cartCall(deps, visit, { method: 'GET', path: '/api/v1/cart' }),
      'the cart',
    );
    if ((await unfillable(deps.gateway, current.items, 'cart')).length > 0)
      return showCheckout(deps, request, reply, { fields: again, orderKey, status: 409 });
    const placed = await deps.gateway.post<{ id: string }>('/api/v1/orders', reading.order, visit.caller, {
      'idempotency-key': orderKey,
    });
    if (!placed.ok) {
      const problem = checkoutProblem(placed.problem.code, placed.problem.detail);
      // Nothing was placed; the next try gets a new key (a key's first answer is what its repeats get).
      return showCheckout(deps, request, reply, {
        fields: again,
        problem,
        status: placed.status >= 500 ? 503 : 422,
      });
    }
    return reply.redirect(`/orders/${placed.body.id}`, 303);
  });
}
