import {
  type App,
  BadGateway,
  GatewayTimeout,
  PeerFailed,
  type Pool,
  type Principal,
  pageInfo,
  pageLinks,
  Type,
} from '@platform/chassis';
import { orders } from '@platform/contracts';
import { canCancel } from './domain/order.ts';
import {
  CancelTooLate,
  CardRejected,
  CartEmpty,
  IdempotencyKeyInProgress,
  IdempotencyKeyReused,
  MixedCurrencies,
  OrderNotFound,
  PriceChanged,
  ShippingUnavailable,
  UnknownProduct,
} from './errors.ts';
import { oncePerKey } from './idempotency.ts';
import { type Accepted, createOrder, type PlacementDeps } from './place-order.ts';
import { findOrder, listOrders, toApiOrder } from './store.ts';

const AcceptedSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Literal('PENDING'),
  totals: orders.Order.properties.totals,
  createdAt: Type.String({ format: 'date-time' }),
  _links: Type.Object({ self: Type.String() }),
});
// Required by the schema, so the document says so and validation answers its absence.
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({ minLength: 1, maxLength: 200 }),
});
const PLACEMENT_ERRORS = [
  IdempotencyKeyReused,
  IdempotencyKeyInProgress,
  CartEmpty,
  UnknownProduct,
  PriceChanged,
  MixedCurrencies,
  ShippingUnavailable,
  CardRejected,
  // Pricing asks the cart, catalog, shipping and payment services while the client waits.
  PeerFailed,
  BadGateway,
  GatewayTimeout,
];
const CancelBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
  Type.Null(),
]);

function principalOf(request: { principal: Principal | undefined }): Principal {
  if (!request.principal) throw new Error('route without a principal: access must be user');
  return request.principal;
}

/** The order if the caller owns it or is an administrator; others learn nothing (404). */
async function visibleOrder(pool: Pool, principal: Principal, id: string): Promise<orders.Order> {
  const order = await findOrder(pool, id);
  if (!order || (order.userId !== principal.subject && !principal.roles.includes('admin'))) {
    throw new OrderNotFound(`No order ${id}`);
  }
  return order;
}

export function registerOrderRoutes(app: App, pool: Pool, deps: PlacementDeps): void {
  app.post(
    '/api/v1/orders',
    {
      config: { access: 'user', errors: PLACEMENT_ERRORS },
      schema: {
        summary: 'Place an order from the cart (no items) or from explicit lines; needs an Idempotency-Key',
        tags: ['orders'],
        headers: IdempotencyHeaders,
        body: orders.PlaceOrder,
        response: { 202: AcceptedSchema },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const principal = principalOf(request);
      const answer = await oncePerKey<Accepted>(
        pool,
        { userId: principal.subject, key, body: request.body },
        async (orderId, remember) => ({
          statusCode: 202,
          body: await createOrder(deps, principal, request.body, orderId, remember),
        }),
      );
      return reply.code(202).header('location', answer.body._links.self).send(answer.body);
    },
  );

  app.get(
    '/api/v1/orders',
    {
      config: { access: 'user' },
      schema: {
        summary: "The caller's orders, newest first",
        tags: ['orders'],
        querystring: orders.OrderListQuery,
        response: { 200: orders.OrderPage },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const { items, total } = await listOrders(pool, principalOf(request).subject, page, limit);
      const info = pageInfo(page, limit, total);
      return { data: items, pagination: info, _links: pageLinks('/api/v1/orders', request.query, info) };
    },
  );

  app.get(
    '/api/v1/orders/:id',
    {
      config: { access: 'user', errors: [OrderNotFound] },
      schema: {
        summary: 'One order with the timeline of every saga step and compensation',
        tags: ['orders'],
        params: orders.OrderParams,
        response: { 200: orders.Order },
      },
    },
    (request) => visibleOrder(pool, principalOf(request), request.params.id),
  );

  app.post(
    '/api/v1/orders/:id/cancel',
    {
      config: { access: 'user', errors: [OrderNotFound, CancelTooLate] },
      schema: {
        summary: 'Cancel until the parcel has left: releases stock, voids or refunds the payment',
        tags: ['orders'],
        params: orders.OrderParams,
        body: Type.Optional(CancelBody),
        response: { 202: orders.Order },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const order = await visibleOrder(pool, principal, request.params.id);
      if (!canCancel(order.status)) throw new CancelTooLate(`Order ${order.id} is ${order.status}`);
      const reason = request.body?.reason ?? 'cancelled by the customer';
      const after = await deps.saga.cancel(order.id, reason);
      return reply.code(202).send(toApiOrder(after));
    },
  );
}
