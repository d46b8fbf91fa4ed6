// A shopper's orders: the list, one order's page (its live part relayed by
// live-order.ts), cancelling one, and putting a failed order's items back in the cart.
import { type App, isUuid } from '@platform/chassis';
import type { orders } from '@platform/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { signInFirst } from './account-routes.ts';
import { PageNotFound, PlatformTrouble } from './errors.ts';
import { answered, type Caller, type Gateway } from './gateway.ts';
import { type OrderDetails, orderBody, orderLive, ordersBody } from './pages/orders.ts';
import { unfillable } from './stock.ts';
import { cartCall, render, type ShopDeps, visitOf } from './visit.ts';

const ORDERS_PAGE = 20;

function orderIdOf(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!isUuid(id)) throw new PageNotFound(`No order ${id}`);
  return id.toLowerCase();
}

/** The order with its payment and shipment; undefined when it is not there (or not the caller's). */
export async function orderDetails(
  gateway: Gateway,
  caller: Caller,
  id: string,
): Promise<OrderDetails | undefined> {
  const answer = await gateway.get<OrderDetails>(`/api/v1/orders/${id}/details`, caller);
  if (!answer.ok && answer.status === 404) return undefined;
  return answered(answer, 'order details');
}

/** For an order refused for want of stock: which of its lines the shelf cannot fill now, in words. */
export async function soldOutLines(gateway: Gateway, order: orders.Order): Promise<string[]> {
  if (order.status !== 'REJECTED' || !/stock/i.test(order.reason ?? '')) return [];
  return unfillable(gateway, order.items, 'order');
}

async function showOrder(deps: ShopDeps, request: FastifyRequest, reply: FastifyReply, problem?: string) {
  const visit = visitOf(request);
  const details = await orderDetails(deps.gateway, visit.caller, orderIdOf(request));
  if (!details) throw new PageNotFound('No such order of yours');
  const live = orderLive(details, {
    formToken: visit.formToken,
    shortages: await soldOutLines(deps.gateway, details.order),
  });
  return render(deps, request, reply, `Order ${details.order.id.slice(0, 8)}`, orderBody(details, live), {
    problem,
    ...(problem ? { status: 409 } : {}),
  });
}

export function registerOrderRoutes(shop: App, deps: ShopDeps): void {
  const { gateway } = deps;

  shop.get('/orders', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const value = (request.query as { page?: string }).page ?? '';
    const page = /^[1-9]\d{0,2}$/.test(value) ? Number(value) : 1;
    const list = answered(
      await gateway.get<{
        data: orders.Order[];
        pagination: { page: number; totalPages: number; total: number };
      }>(`/api/v1/orders?limit=${ORDERS_PAGE}&page=${page}`, visitOf(request).caller),
      'orders',
    );
    const body = ordersBody(list.data, { ...list.pagination, href: (n) => `/orders?page=${n}` });
    return render(deps, request, reply, 'Your orders', body);
  });

  shop.get('/orders/:id', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    return showOrder(deps, request, reply);
  });

  shop.post('/orders/:id/cancel', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const id = orderIdOf(request);
    const answer = await gateway.post(`/api/v1/orders/${id}/cancel`, {}, visitOf(request).caller);
    if (answer.ok) return reply.redirect(`/orders/${id}?done=cancel-asked`, 303);
    if (answer.status === 404) throw new PageNotFound('No such order of yours');
    if (answer.status === 409)
      return showOrder(deps, request, reply, 'This order can no longer be cancelled: its parcel has left.');
    throw new PlatformTrouble(`cancel answered ${answer.status}`);
  });

  shop.post('/orders/:id/reorder', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const visit = visitOf(request);
    const details = await orderDetails(gateway, visit.caller, orderIdOf(request));
    if (!details) throw new PageNotFound('No such order of yours');
    for (const item of details.order.items) {
      // One line that cannot come back (no longer sold) does not keep the others out.
      await cartCall(deps, visit, {
        method: 'POST',
        path: '/api/v1/cart/items',
        body: { productId: item.productId, quantity: item.quantity },
      });
    }
    return reply.redirect('/cart?done=restored', 303);
  });
}
