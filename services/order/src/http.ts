import {
  type App,
  BadGateway,
  GatewayTimeout,
  type IdempotentReplay,
  PeerFailed,
  type Pool,
  type Principal,
  pageInfo,
  pageLinks,
  type ReplayableAnswer,
  Type,
} from '@platform/chassis';
import { orders } from '@platform/contracts';
import { canCancel } from './domain/order.ts';
import {
  AddressInvalid,
  CancelTooLate,
  CardRejected,
  CartEmpty,
  MixedCurrencies,
  OrderNotFound,
  PriceChanged,
  ShippingUnavailable,
  UnknownProduct,
} from './errors.ts';
import { type Accepted, createOrder, type PlacementDeps } from './place-order.ts';
import { findOrder, listOrders, toApiOrder } from './store.ts';

const AcceptedSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Literal('PENDING'),
  totals: orders.Order.properties.totals,
  createdAt: Type.String({ format: 'date-time' }),
  _links: Type.Object({ self: Type.String() }),
});
const PLACEMENT_ERRORS = [
  CartEmpty,
  UnknownProduct,
  PriceChanged,
  MixedCurrencies,
  ShippingUnavailable,
  CardRejected,
  AddressInvalid,
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

/** What placing an order answers, and what a repeat of it with its Idempotency-Key is answered. */
function acceptedAnswer(accepted: Accepted) {
  return {
    statusCode: 202,
    headers: { location: accepted._links.self },
    body: accepted,
  } as const satisfies ReplayableAnswer;
}

export function registerOrderRoutes(
  app: App,
  pool: Pool,
  deps: PlacementDeps & { replay: IdempotentReplay },
): void {
  app.post(
    '/api/v1/orders',
    {
      // The chassis requires the Idempotency-Key header and replays the first answer to a repeat.
      config: { access: 'user', errors: PLACEMENT_ERRORS, idempotency: deps.replay },
      schema: {
        summary: 'Place an order from the cart (no items) or from explicit lines; needs an Idempotency-Key',
        tags: ['orders'],
        body: orders.PlaceOrder,
        response: { 202: AcceptedSchema },
      },
    },
    async (request, reply) => {
      // The answer is kept in the order's own transaction: the order and its answer commit together.
      const accepted = await createOrder(deps, principalOf(request), request.body, async (tx, placed) => {
        await request.idempotency?.remember(tx, acceptedAnswer(placed));
      });
      const { statusCode, headers, body } = acceptedAnswer(accepted);
      return reply.code(statusCode).headers(headers).send(body);
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
