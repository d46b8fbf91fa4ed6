// The order part of the stand-in gateway: placing an order (with its Idempotency-Key),
// the order and its details, the list, cancelling, the live events, and the messages.
import { randomUUID } from 'node:crypto';
import type { StandIn } from './stand-in-gateway.ts';
import { type On, problem } from './stand-in-http.ts';

export interface StandInOrder {
  id: string;
  userId: string;
  status: string;
  reason?: string;
  items: Array<{
    productId: string;
    name: string;
    quantity: number;
    unitPrice: { amount: number; currency: string };
  }>;
  timeline: Array<{ at: string; step: string; outcome: string }>;
  refunded: number;
  key: string;
}

export interface StandInOrders {
  all: StandInOrder[];
  /** Moves an order on, as the saga would: its status and a timeline entry, announced on its live stream. */
  advance(id: string, status: string, step: string, outcome: string, reason?: string): void;
}

const SETTLED = ['DELIVERED', 'REJECTED', 'CANCELLED'];

export function addOrderRoutes(on: On, standIn: () => StandIn): StandInOrders {
  const all: StandInOrder[] = [];
  const listeners = new Map<string, Set<(seq: number) => void>>();
  const mine = (id: string | undefined, userId: string | undefined) =>
    all.find((order) => order.id === id && order.userId === userId);
  const total = (order: StandInOrder) =>
    order.items.reduce((sum, item) => sum + item.unitPrice.amount * item.quantity, 0);
  const apiOrder = (order: StandInOrder) => ({
    id: order.id,
    userId: order.userId,
    status: order.status,
    ...(order.reason ? { reason: order.reason } : {}),
    items: order.items.map((item) => ({ ...item, sku: 'SKU', weightGrams: 1 })),
    totals: { subtotal: total(order), tax: 0, shipping: 500, total: total(order) + 500, currency: 'USD' },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
    card: { brand: 'visa', last4: '4242' },
    sagaMode: 'orchestration',
    timeline: order.timeline,
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:00.000Z',
    version: order.timeline.length,
  });
  const orders: StandInOrders = {
    all,
    advance(id, status, step, outcome, reason) {
      const order = all.find((each) => each.id === id);
      if (!order) throw new Error(`no order ${id}`);
      order.status = status;
      if (reason) order.reason = reason;
      if (status === 'CANCELLED') order.refunded = total(order) + 500;
      order.timeline.push({ at: new Date().toISOString(), step, outcome });
      for (const listener of listeners.get(id) ?? []) listener(order.timeline.length);
    },
  };

  on('POST', /^\/api\/v1\/orders$/, ({ userId, headers, body }) => {
    if (!userId) return problem(401, 'UNAUTHENTICATED');
    const key = headers['idempotency-key'];
    if (typeof key !== 'string') return problem(400, 'IDEMPOTENCY_KEY_REQUIRED');
    const repeat = all.find((order) => order.key === key);
    if (repeat) return { status: 202, body: { id: repeat.id, status: 'PENDING' } };
    const card = (body.payment as { cardNumber?: string } | undefined)?.cardNumber ?? '';
    if (card.endsWith('1')) return problem(422, 'CARD_REJECTED', 'The card number fails its check digit');
    const cart = standIn().carts.get(`user:${userId}`) ?? new Map<string, number>();
    if (cart.size === 0) return problem(422, 'CART_EMPTY');
    const items = [...cart].map(([productId, quantity]) => {
      const found = standIn().products.find((each) => each.id === productId);
      return {
        productId,
        name: found?.name ?? '',
        quantity,
        unitPrice: found?.price ?? { amount: 0, currency: 'USD' },
      };
    });
    const order: StandInOrder = {
      id: randomUUID(),
      userId,
      status: 'PENDING',
      items,
      timeline: [{ at: new Date().toISOString(), step: 'place-order', outcome: 'placed' }],
      refunded: 0,
      key,
    };
    all.push(order);
    standIn().carts.delete(`user:${userId}`);
    if (card === '4000000000000002')
      orders.advance(order.id, 'REJECTED', 'authorize-payment', 'failed', 'card_declined');
    return { status: 202, body: { id: order.id, status: 'PENDING' } };
  });
  on('GET', /^\/api\/v1\/orders\?(.*)$/, ({ userId }) => {
    const data = all.filter((order) => order.userId === userId).map(apiOrder);
    return {
      status: 200,
      body: { data, pagination: { page: 1, limit: 20, total: data.length, totalPages: 1 } },
    };
  });
  on('GET', /^\/api\/v1\/orders\/([^/]+)\/details$/, ({ userId, match }) => {
    const order = mine(match[1], userId);
    if (!order) return problem(404, 'ORDER_NOT_FOUND');
    const authorized = total(order) + 500;
    const payment = {
      status: order.refunded ? 'REFUNDED' : 'AUTHORIZED',
      authorized,
      captured: order.refunded ? authorized : 0,
      refunded: order.refunded,
      currency: 'USD',
      card: { brand: 'visa', last4: '4242' },
    };
    return { status: 200, body: { order: apiOrder(order), payment, shipment: null, warnings: [] } };
  });
  on('POST', /^\/api\/v1\/orders\/([^/]+)\/cancel$/, ({ userId, match }) => {
    const order = mine(match[1], userId);
    if (!order) return problem(404, 'ORDER_NOT_FOUND');
    if (SETTLED.includes(order.status) || order.status === 'SHIPPED')
      return problem(409, 'ORDER_NOT_CANCELLABLE');
    orders.advance(order.id, 'CANCELLED', 'order', 'cancelled', 'cancelled by the customer');
    return { status: 202, body: apiOrder(order) };
  });
  on('GET', /^\/api\/v1\/orders\/([^/]+)\/events$/, ({ userId, match, raw, response }) => {
    const order = mine(match[1], userId);
    if (!order) return problem(404, 'ORDER_NOT_FOUND');
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('retry: 2000\n\n');
    const after = Number(raw.headers['last-event-id'] ?? 0);
    const write = (seq: number) => {
      response.write(`id: ${seq}\nevent: status\ndata: {"seq":${seq},"status":"${order.status}"}\n\n`);
      if (SETTLED.includes(order.status)) response.end();
    };
    for (let seq = after + 1; seq <= order.timeline.length && !response.writableEnded; seq++) write(seq);
    if (response.writableEnded) return undefined;
    const set = listeners.get(order.id) ?? new Set();
    listeners.set(order.id, set);
    set.add(write);
    response.on('close', () => set.delete(write));
    return undefined;
  });
  on('GET', /^\/api\/v1\/notifications\?(.*)$/, ({ userId }) => ({
    status: 200,
    body: {
      data: userId
        ? [
            {
              id: randomUUID(),
              kind: 'welcome',
              channel: 'email',
              subject: 'Welcome to the shop',
              status: 'sent',
              sentAt: '2026-12-03T10:00:00.000Z',
            },
          ]
        : [],
      pagination: { page: 1, limit: 50, total: 1, totalPages: 1 },
    },
  }));
  return orders;
}
