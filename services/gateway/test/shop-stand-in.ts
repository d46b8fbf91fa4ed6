// A gateway in front of one stand-in playing the catalog, inventory and the cart, each
// of which a test can take down (connections cut), slow down, or bring back: for the
// storefront pages the gateway composes from them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { catalog } from '@platform/contracts';
import { type GatewayWithStandIn, gatewayWithStandIn } from './stand-in.ts';

export type Part = 'catalog' | 'inventory' | 'cart';
export type Health = 'up' | 'down' | 'slow';
/** How long a slow part takes to answer: far beyond the gateway's 1 s for a part, on any machine. */
export const SLOW_ANSWER_MS = 10_000;

const product = (id: string, name: string, category: string, amount: number): catalog.Product => ({
  id,
  sku: `SKU-${id.slice(0, 4).toUpperCase()}`,
  name,
  description: `${name}, for the tests.`,
  price: { amount, currency: 'USD' },
  category,
  imageUrl: `/api/v1/products/${id}/image`,
  attributes: { brand: 'Test' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
});

// The catalog's order: by name within a category.
export const HEADPHONES = product('0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a01', 'Alpha Headphones', 'audio', 9900);
export const SPEAKER = product('0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a02', 'Beta Speaker', 'audio', 4900);
export const TURNTABLE = product('0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a03', 'Gamma Turntable', 'audio', 29900);
export const NOVEL = product('0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4b01', 'A Novel', 'books', 1500);
export const PRODUCTS = [HEADPHONES, SPEAKER, TURNTABLE, NOVEL];
export const CATEGORIES: catalog.Category[] = [
  { id: 'audio', name: 'Audio', description: 'Things to hear.', productCount: 3 },
  { id: 'books', name: 'Books', description: 'Things to read.', productCount: 1 },
  { id: 'garden', name: 'Garden', description: 'Nothing yet.', productCount: 0 },
];
/** Units available: plenty, a few (low), none; the turntable has no stock row at all. */
export const AVAILABLE: Record<string, number> = { [HEADPHONES.id]: 12, [SPEAKER.id]: 3, [NOVEL.id]: 0 };
export const CART_ITEMS = 3;

/** With its length, as Fastify answers: the proxy stores only answers of a known length. */
function json(response: ServerResponse, status: number, body: unknown, type = 'application/json') {
  const text = JSON.stringify(body);
  return response
    .writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
    .end(text);
}

function catalogAnswer(url: URL, response: ServerResponse) {
  if (url.pathname === '/api/v1/categories') return json(response, 200, { data: CATEGORIES });
  if (url.pathname === '/api/v1/products') {
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const data = PRODUCTS.filter((each) => each.category === url.searchParams.get('category')).slice(
      0,
      limit,
    );
    const pagination = { page: 1, limit, total: data.length, totalPages: 1 };
    return json(response, 200, { data, pagination, _links: { self: url.href, next: null, prev: null } });
  }
  const found = PRODUCTS.find((each) => url.pathname === `/api/v1/products/${each.id}`);
  if (found) {
    response.setHeader('cache-control', 'public, max-age=30, must-revalidate');
    return json(response, 200, found);
  }
  return json(
    response,
    404,
    {
      type: 'urn:problem:product-not-found',
      title: 'Product not found',
      status: 404,
      detail: `No product with id ${url.pathname.split('/').pop()}`,
      code: 'PRODUCT_NOT_FOUND',
    },
    'application/problem+json',
  );
}

function inventoryAnswer(url: URL, response: ServerResponse) {
  const data = url.searchParams
    .getAll('productId')
    .filter((id) => AVAILABLE[id] !== undefined)
    .map((productId) => {
      const available = AVAILABLE[productId] ?? 0;
      return { productId, available, onHand: available, reserved: 0 };
    });
  return json(response, 200, { data });
}

function partOf(path: string): Part | undefined {
  if (path.startsWith('/api/v1/inventory')) return 'inventory';
  if (path.startsWith('/api/v1/cart')) return 'cart';
  if (path.startsWith('/api/v1/products') || path.startsWith('/api/v1/categories')) return 'catalog';
  return undefined;
}

export interface Shop extends GatewayWithStandIn {
  /** How each part answers from now on. */
  health: Record<Part, Health>;
  /** Every request that reached a part, in order, with the headers the tests look at. */
  calls: Array<{ path: string; authorization?: string; traceparent?: string }>;
}

/** A gateway whose catalog, inventory and cart are the stand-in; `env` adds gateway settings. */
export async function startShop(env: Record<string, string> = {}): Promise<Shop> {
  const health: Record<Part, Health> = { catalog: 'up', inventory: 'up', cart: 'up' };
  const calls: Shop['calls'] = [];
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (url.pathname === '/openapi.json') return json(response, 200, { openapi: '3.1.0', paths: {} });
    const part = partOf(url.pathname);
    const { authorization, traceparent } = request.headers;
    calls.push({
      path: request.url ?? '',
      ...(authorization ? { authorization } : {}),
      ...(typeof traceparent === 'string' ? { traceparent } : {}),
    });
    if (part && health[part] === 'down') return void request.socket.destroy();
    const respond = () => {
      if (part === 'catalog') return catalogAnswer(url, response);
      if (part === 'inventory') return inventoryAnswer(url, response);
      if (part === 'cart' && request.headers.authorization)
        return json(response, 200, { itemCount: CART_ITEMS });
      json(response, 404, { code: 'NOT_HERE' });
    };
    if (part && health[part] === 'slow') setTimeout(respond, SLOW_ANSWER_MS).unref();
    else respond();
  };
  const shop = await gatewayWithStandIn(['CATALOG_URL', 'INVENTORY_URL', 'CART_URL'], { answer, env });
  return Object.assign(shop, { health, calls });
}
