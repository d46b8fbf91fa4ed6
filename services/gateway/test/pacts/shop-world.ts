// The upstreams behind the gateway in its own pact verification: one stand-in playing
// the catalog, inventory, the cart, the order service, payment and shipping, answering
// from what the provider states put in `world` (and their 404 problems otherwise).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { catalog, orders, payments, shipping } from '@platform/contracts';

export interface OrderParts {
  order: orders.Order;
  payment: payments.Payment;
  shipment: shipping.Shipment;
}

export interface World {
  products: catalog.Product[];
  /** Units available, by product id; a product without an entry has no stock kept. */
  stock: Map<string, number>;
  /** The signed-in shopper's cart's item count; undefined: no cart answered. */
  cartItems: number | undefined;
  orders: Map<string, OrderParts>;
}

export const emptyWorld = (): World => ({
  products: [],
  stock: new Map(),
  cartItems: undefined,
  orders: new Map(),
});

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
}

const notFound = (code: string, title: string, detail: string) => ({
  type: `urn:problem:${code.toLowerCase().replaceAll('_', '-')}`,
  title,
  status: 404,
  detail,
  code,
});

function categories(world: World): catalog.Category[] {
  const ids = [...new Set(world.products.map((product) => product.category))].sort();
  return ids.map((id) => ({
    id,
    name: id[0]?.toUpperCase() + id.slice(1),
    description: `Things of ${id}.`,
    productCount: world.products.filter((product) => product.category === id).length,
  }));
}

/** A status and its JSON body. */
type Answer = [status: number, body: unknown];

function catalogAnswer(world: World, url: URL): Answer {
  if (url.pathname === '/api/v1/categories') return [200, { data: categories(world) }];
  if (url.pathname === '/api/v1/products') {
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const data = world.products
      .filter((product) => product.category === url.searchParams.get('category'))
      .slice(0, limit);
    const pagination = { page: 1, limit, total: data.length, totalPages: 1 };
    return [200, { data, pagination, _links: { self: url.href, next: null, prev: null } }];
  }
  const id = url.pathname.split('/').pop() ?? '';
  const found = world.products.find((product) => product.id === id);
  if (found) return [200, found];
  return [404, notFound('PRODUCT_NOT_FOUND', 'Product not found', `No product with id ${id}`)];
}

function inventoryAnswer(world: World, url: URL): Answer {
  const data = url.searchParams
    .getAll('productId')
    .filter((id) => world.stock.has(id))
    .map((productId) => {
      const available = world.stock.get(productId) ?? 0;
      return { productId, available, onHand: available, reserved: 0 };
    });
  return [200, { data }];
}

function orderAnswer(world: World, url: URL): Answer {
  const parts = world.orders.get(url.searchParams.get('orderId') ?? '');
  if (url.pathname === '/api/v1/payments') return [200, { data: parts ? [parts.payment] : [] }];
  if (url.pathname === '/api/v1/shipments') return [200, { data: parts ? [parts.shipment] : [] }];
  const id = url.pathname.split('/').pop() ?? '';
  const order = world.orders.get(id)?.order;
  if (order) return [200, order];
  return [404, notFound('ORDER_NOT_FOUND', 'Order not found', `No order ${id}`)];
}

function answerOf(world: World, request: IncomingMessage): Answer {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const path = url.pathname;
  if (path === '/openapi.json') return [200, { openapi: '3.1.0', paths: {} }];
  if (path.startsWith('/api/v1/products') || path === '/api/v1/categories') return catalogAnswer(world, url);
  if (path === '/api/v1/inventory') return inventoryAnswer(world, url);
  if (path === '/api/v1/cart' && request.headers.authorization && world.cartItems !== undefined)
    return [200, { itemCount: world.cartItems }];
  if (path === '/api/v1/payments' || path === '/api/v1/shipments' || path.startsWith('/api/v1/orders/'))
    return orderAnswer(world, url);
  return [404, notFound('NOT_HERE', 'Not here', `The stand-in has nothing at ${path}`)];
}

/** How the stand-in answers a request, from `world`. */
export function answerFrom(world: World) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const [status, body] = answerOf(world, request);
    json(response, status, body);
  };
}
