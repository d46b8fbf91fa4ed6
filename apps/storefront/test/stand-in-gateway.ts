// A stand-in for the gateway's public API, enough of it to shop with: identity with
// refresh-token rotation and reuse detection, a catalog, stock, carts of users and guests
// (merged when both are named), orders with their live events, the account and its
// messages, and (when asked) the storefront contract's two composed pages. It records
// what reached it, so tests can see which token and which trace each call carried.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { catalog } from '@platform/contracts';
import { addCartRoutes } from './stand-in-cart.ts';
import { addComposedRoutes } from './stand-in-composed.ts';
import { type Handler, problem, type Reply } from './stand-in-http.ts';
import { addOrderRoutes, type StandInOrders } from './stand-in-orders.ts';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

interface Family {
  userId: string;
  revoked: boolean;
}

export interface StandIn {
  url: string;
  seen: Seen[];
  products: catalog.Product[];
  stock: Map<string, number | 'fails'>;
  /** Carts by owner (`user:<id>` or `guest:<id>`): product id to quantity. */
  carts: Map<string, Map<string, number>>;
  /** How long new access tokens last, in seconds. */
  accessSeconds: number;
  refreshCalls: number;
  reusesDetected: number;
  /** Every token pair identity handed out, oldest first. */
  issued: Array<{ accessToken: string; refreshToken: string }>;
  /** How the gateway's composed pages answer: `fresh`, or `stale` (the catalog down, its old copy served). */
  composedPages: 'fresh' | 'stale';
  orders: StandInOrders;
  /** Registers an account; returns its id. */
  account(email: string, password: string, name?: string): string;
  close(): Promise<void>;
}

/** The storefront's client secret in the harness, and the service token identity gives for it. */
export const SERVICE_SECRET = 'the storefront client secret of the tests';
export const SERVICE_TOKEN = 'service-token-of-the-storefront';

export const CATEGORIES = [
  { id: 'audio', name: 'Audio', description: 'Headphones and speakers' },
  { id: 'kitchen', name: 'Kitchen', description: 'Pots, pans and kettles' },
];

function product(n: number, category: string): catalog.Product {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    id,
    sku: `SKU-${n}`,
    name: category === 'audio' ? `Studio Headphones ${n}` : `Copper Kettle ${n}`,
    description: `Product number ${n}.`,
    price: { amount: 1_000 + n * 100, currency: 'USD' },
    category,
    imageUrl: `/api/v1/products/${id}/image`,
    attributes: { brand: 'Acme', weightGrams: 300 },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startStandInGateway(): Promise<StandIn> {
  const users = new Map<
    string,
    { id: string; email: string; password: string; name: string; prefs: unknown }
  >();
  const accessTokens = new Map<string, { userId: string; family: string }>();
  const refreshTokens = new Map<string, { family: string; used: boolean }>();
  const families = new Map<string, Family>();
  const products = [
    ...Array.from({ length: 30 }, (_, i) => product(i + 1, 'audio')),
    ...Array.from({ length: 3 }, (_, i) => product(i + 101, 'kitchen')),
  ];
  const routes: Array<[string, RegExp, Handler]> = [];
  const on = (method: string, pattern: RegExp, handler: Handler) => routes.push([method, pattern, handler]);

  const session = (userId: string, family: string = randomUUID()) => {
    families.set(family, families.get(family) ?? { userId, revoked: false });
    const accessToken = `at-${randomUUID()}`;
    const refreshToken = `rt-${randomUUID()}`;
    accessTokens.set(accessToken, { userId, family });
    refreshTokens.set(refreshToken, { family, used: false });
    standIn.issued.push({ accessToken, refreshToken });
    const user = users.get(userId);
    return {
      user: {
        id: userId,
        email: user?.email,
        name: user?.name,
        roles: ['customer'],
        preferences: user?.prefs ?? {},
      },
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: standIn.accessSeconds,
    };
  };

  // Identity's client-credentials grant (the harness's IDENTITY_URL is this stand-in).
  on('POST', /^\/api\/v1\/auth\/token$/, ({ body }) =>
    body.client_id === 'storefront' && body.client_secret === SERVICE_SECRET
      ? { status: 200, body: { access_token: SERVICE_TOKEN, token_type: 'Bearer', expires_in: 300 } }
      : problem(401, 'INVALID_CLIENT', 'Unknown client or wrong secret'),
  );
  on('POST', /^\/api\/v1\/auth\/register$/, ({ body }) => {
    const email = String(body.email ?? '').toLowerCase();
    if (String(body.password ?? '').length < 10)
      return problem(422, 'PASSWORD_REJECTED', 'The password must be at least 10 characters');
    if ([...users.values()].some((user) => user.email === email)) return problem(409, 'EMAIL_TAKEN');
    return { status: 201, body: session(standIn.account(email, String(body.password), String(body.name))) };
  });
  on('POST', /^\/api\/v1\/auth\/login$/, ({ body }) => {
    const user = [...users.values()].find((each) => each.email === String(body.email).toLowerCase());
    if (!user || user.password !== body.password)
      return problem(401, 'INVALID_CREDENTIALS', 'Wrong email or password');
    return { status: 200, body: session(user.id) };
  });
  on('POST', /^\/api\/v1\/auth\/refresh$/, ({ body }) => {
    standIn.refreshCalls += 1;
    const token = refreshTokens.get(String(body.refreshToken));
    const family = token ? families.get(token.family) : undefined;
    if (!token || !family) return problem(401, 'INVALID_REFRESH_TOKEN');
    if (token.used || family.revoked) {
      // Presented twice: someone else has it. The whole family is revoked, as identity does.
      family.revoked = true;
      standIn.reusesDetected += 1;
      return problem(401, 'INVALID_REFRESH_TOKEN', 'This refresh token was already used');
    }
    token.used = true;
    return { status: 200, body: session(family.userId, token.family) };
  });
  on('POST', /^\/api\/v1\/auth\/logout$/, ({ body }) => {
    const token = refreshTokens.get(String(body.refreshToken));
    const family = token ? families.get(token.family) : undefined;
    if (family) family.revoked = true;
    return { status: 204 };
  });
  on('GET', /^\/api\/v1\/users\/me$/, ({ userId }) => {
    const user = userId ? users.get(userId) : undefined;
    if (!user) return problem(401, 'UNAUTHENTICATED');
    const me = {
      id: user.id,
      email: user.email,
      name: user.name,
      roles: ['customer'],
      preferences: user.prefs,
    };
    return { status: 200, body: { ...me, createdAt: '2026-01-02T00:00:00.000Z' } };
  });
  on('PATCH', /^\/api\/v1\/users\/me$/, ({ userId, body }) => {
    const user = userId ? users.get(userId) : undefined;
    if (!user) return problem(401, 'UNAUTHENTICATED');
    if (typeof body.name === 'string') user.name = body.name;
    if (body.preferences) user.prefs = body.preferences;
    return {
      status: 200,
      body: { ...user, roles: ['customer'], preferences: user.prefs, createdAt: '2026-01-02T00:00:00.000Z' },
    };
  });

  on('GET', /^\/api\/v1\/categories$/, () => ({
    status: 200,
    body: {
      data: CATEGORIES.map((c) => ({
        ...c,
        productCount: products.filter((p) => p.category === c.id).length,
      })),
    },
  }));
  on('GET', /^\/api\/v1\/products\/([^/?]+)$/, ({ match }) => {
    const found = products.find((each) => each.id === match[1]);
    return found ? { status: 200, body: found } : problem(404, 'PRODUCT_NOT_FOUND');
  });
  on('GET', /^\/api\/v1\/products\?(.*)$/, ({ match }) => {
    const query = new URLSearchParams(match[1]);
    const words = (query.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const category = query.get('category');
    const matching = products.filter(
      (each) =>
        (!category || each.category === category) &&
        words.every((word) =>
          each.name
            .toLowerCase()
            .split(' ')
            .some((part) => part.startsWith(word)),
        ),
    );
    const [page, limit] = [Number(query.get('page') ?? 1), Number(query.get('limit') ?? 20)];
    const data = matching.slice((page - 1) * limit, page * limit);
    const totalPages = Math.ceil(matching.length / limit);
    const pagination = { page, limit, total: matching.length, totalPages };
    return { status: 200, body: { data, pagination, _links: { self: '', next: null, prev: null } } };
  });
  on('GET', /^\/api\/v1\/inventory\/([^/?]+)$/, ({ match }) => {
    const id = match[1] ?? '';
    const count = standIn.stock.get(id) ?? 10;
    if (count === 'fails') return problem(503, 'SERVICE_UNAVAILABLE');
    return { status: 200, body: { productId: id, available: count, onHand: count, reserved: 0 } };
  });
  addCartRoutes(on, () => standIn);
  const orders = addOrderRoutes(on, () => standIn);
  addComposedRoutes(on, () => standIn);

  const server = createServer(async (request, response) => {
    const path = request.url ?? '/';
    const body = await readBody(request).catch(() => ({}));
    standIn.seen.push({ method: request.method ?? '', path, headers: request.headers, body });
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const access = bearer ? accessTokens.get(bearer) : undefined;
    const valid = access && !families.get(access.family)?.revoked;
    if (bearer && !valid)
      return send(response, problem(401, 'UNAUTHENTICATED', 'The access token is invalid'));
    for (const [method, pattern, handler] of routes) {
      const match = method === request.method ? pattern.exec(path) : null;
      if (!match) continue;
      const reply = handler({
        match,
        headers: request.headers,
        body,
        userId: access?.userId,
        raw: request,
        response,
      });
      if (reply) send(response, reply);
      return;
    }
    send(response, problem(404, 'NOT_FOUND', `No resource at ${path}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const standIn: StandIn = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen: [],
    products,
    stock: new Map(),
    carts: new Map(),
    accessSeconds: 900,
    refreshCalls: 0,
    reusesDetected: 0,
    issued: [],
    composedPages: 'fresh',
    orders,
    account(email, password, name = 'Ada') {
      const id = randomUUID();
      users.set(id, { id, email: email.toLowerCase(), password, name, prefs: {} });
      return id;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return standIn;
}

function send(response: ServerResponse, reply: Reply): void {
  const json = reply.body !== undefined;
  response.writeHead(reply.status, {
    ...(json
      ? { 'content-type': reply.status >= 400 ? 'application/problem+json' : 'application/json' }
      : {}),
    ...reply.headers,
  });
  response.end(json ? JSON.stringify(reply.body) : undefined);
}
