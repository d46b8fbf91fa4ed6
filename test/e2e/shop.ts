// A shopper's and an operator's view of the platform, through the gateway: the calls
// the checkout tests make, with the platform's own API shapes.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@platform/testkit';
import { npmStart, type RunningPlatform, waitFor } from './platform.ts';

export interface Order {
  id: string;
  status: string;
  reason?: string;
  totals: { subtotal: number; tax: number; shipping: number; total: number; currency: string };
  timeline: Array<{ at: string; step: string; outcome: string }>;
  createdAt: string;
}
export interface Payment {
  status: string;
  authorized: number;
  captured: number;
  refunded: number;
}
export interface Stock {
  available: number;
  onHand: number;
  reserved: number;
}

export interface LiveEvent {
  id: string;
  event: string;
  data: { seq: number; type: string; status: string; step?: string; outcome?: string };
}

/** One server-sent event frame; comments and the `retry:` frame are not events. */
function parseFrame(frame: string): LiveEvent | undefined {
  const fields = new Map<string, string>();
  for (const line of frame.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
  }
  const data = fields.get('data');
  if (data === undefined) return undefined;
  return { id: fields.get('id') ?? '', event: fields.get('event') ?? 'message', data: JSON.parse(data) };
}

export const TERMINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'DELIVERED', 'SHIPPED'];
export const APPROVE = '4242424242424242';
export const DECLINE = '4000000000000002';
export const NO_FUNDS = '4000000000009995';

export const address = (postalCode = '94107') => ({
  name: 'Ada Shopper',
  line1: '1 Market St',
  city: 'San Francisco',
  postalCode,
  country: 'US',
});
export const card = (cardNumber = APPROVE) => ({ cardNumber, expMonth: 12, expYear: 2035, cvc: '123' });

export class Shop {
  readonly gateway: string;
  readonly adminToken: string;
  constructor(gateway: string, adminToken: string) {
    this.gateway = gateway;
    this.adminToken = adminToken;
  }

  async call<T>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(`${this.gateway}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as T,
    };
  }

  async shopper(): Promise<string> {
    const registered = await this.call<{ accessToken: string }>('POST', '/api/v1/auth/register', {
      body: {
        email: `shopper-${randomUUID().slice(0, 8)}@example.test`,
        password: 'correct horse battery staple',
        name: 'Ada',
      },
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    return registered.body.accessToken;
  }

  /** A product of the demo catalog with exactly `onHand` units, nothing reserved. */
  async productWithStock(onHand: number, skip = 0): Promise<string> {
    const page = await this.call<{ data: Array<{ id: string }> }>(
      'GET',
      `/api/v1/products?limit=1&page=${skip + 1}`,
    );
    const id = page.body?.data?.[0]?.id;
    if (!id) {
      // Seen twice in CI (an empty catalog on a platform that said it was ready), never
      // here: say what the gateway answered, and whether it was its cache's copy.
      const cache = page.headers.get('x-cache') ?? 'none';
      const warning = page.headers.get('warning') ?? 'none';
      throw new Error(
        `no products on page ${skip + 1}: the gateway answered ${page.status} (x-cache ${cache}, warning ${warning}) ${JSON.stringify(page.body)}`,
      );
    }
    await waitFor(
      'stock row for the product',
      async () => ((await this.stock(id)).onHand >= 0 ? true : undefined),
      30_000,
    );
    const set = await this.call('PUT', `/api/v1/inventory/${id}`, {
      token: this.adminToken,
      body: { onHand },
    });
    if (set.status !== 200) throw new Error(`set stock: ${set.status} ${JSON.stringify(set.body)}`);
    return id;
  }

  async stock(productId: string): Promise<Stock> {
    const answer = await this.call<Stock>('GET', `/api/v1/inventory/${productId}`);
    if (answer.status !== 200) throw new Error(`stock: ${answer.status}`);
    return answer.body;
  }

  /** Waits until nothing of the product is reserved (every order on it settled); resolves its stock. */
  unreserved(productId: string, timeoutMs = 30_000): Promise<Stock> {
    return waitFor(
      `no reservation left of ${productId}`,
      async () => {
        const now = await this.stock(productId);
        return now.reserved === 0 ? now : undefined;
      },
      timeoutMs,
    );
  }

  place(token: string, body: unknown, key: string = randomUUID()) {
    return this.call<Order & { id: string }>('POST', '/api/v1/orders', {
      token,
      body,
      headers: { 'idempotency-key': key },
    });
  }

  async order(token: string, id: string): Promise<Order> {
    const answer = await this.call<Order>('GET', `/api/v1/orders/${id}`, { token });
    if (answer.status !== 200) throw new Error(`order ${id}: ${answer.status}`);
    return answer.body;
  }

  /** Waits until the order is in one of `statuses`. */
  settled(token: string, id: string, statuses = TERMINAL, timeoutMs = 60_000): Promise<Order> {
    return waitFor(
      `order ${id} in ${statuses.join('/')}`,
      async () => {
        const order = await this.order(token, id);
        return statuses.includes(order.status) ? order : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * Reads the order's server-sent events through the gateway from `lastEventId` on,
   * until `enough` says so (then hangs up) or the stream ends; gives up after `timeoutMs`.
   */
  async orderEvents(
    token: string,
    orderId: string,
    options: { lastEventId?: string; enough?: (events: LiveEvent[]) => boolean; timeoutMs?: number } = {},
  ): Promise<{ status: number; contentType: string; events: LiveEvent[]; ended: boolean }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? 60_000);
    const events: LiveEvent[] = [];
    try {
      const response = await fetch(`${this.gateway}/api/v1/orders/${orderId}/events`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
          ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
        },
        signal: abort.signal,
      });
      const contentType = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        return { status: response.status, contentType, events, ended: true };
      }
      const decoder = new TextDecoder();
      let buffered = '';
      let hungUp = false;
      // Leaving the loop cancels the body: the connection closes, as a client going away.
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end = buffered.indexOf('\n\n');
        while (end >= 0) {
          const frame = parseFrame(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          if (frame) events.push(frame);
          end = buffered.indexOf('\n\n');
        }
        if (options.enough?.(events)) {
          hungUp = true;
          break;
        }
      }
      return { status: 200, contentType, events, ended: !hungUp };
    } finally {
      clearTimeout(timer);
    }
  }

  async payments(orderId: string): Promise<Payment[]> {
    const answer = await this.call<{ data: Payment[] }>('GET', `/api/v1/payments?orderId=${orderId}`, {
      token: this.adminToken,
    });
    return answer.body.data;
  }

  /** Waits until every payment of the order satisfies `check` (and there is one, unless `none` is allowed). */
  paymentsSettle(
    orderId: string,
    check: (payment: Payment) => boolean,
    allowNone = false,
  ): Promise<Payment[]> {
    let last: Payment[] = [];
    return waitFor(
      `payments of ${orderId}`,
      async () => {
        const payments = await this.payments(orderId);
        last = payments;
        if (!allowNone && payments.length === 0) return undefined;
        return payments.every(check) ? payments : undefined;
      },
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${JSON.stringify(last)}`);
    });
  }
}

/**
 * `npm start` in `dataDir` on free ports, with rate limits that a test's bursts do not
 * reach (`env` may override any of it), and a shop run by the administrator.
 */
export async function openShop(
  dataDir: string,
  env: Record<string, string>,
): Promise<{ platform: RunningPlatform; shop: Shop }> {
  const platform = await npmStart(
    {
      PLATFORM_DATA_DIR: dataDir,
      PLATFORM_PG_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      RATE_LIMIT_POLICIES: JSON.stringify({
        write: { capacity: 10_000, refillPerSecond: 10_000 },
        browse: { capacity: 100_000, refillPerSecond: 100_000 },
        auth: { capacity: 1_000, refillPerSecond: 1_000 },
      }),
      ...env,
    },
    180_000,
  );
  const gateway = platform.state.gateway;
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const login = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@platform.local', password: secrets['admin-password'] }),
  });
  if (login.status !== 200) throw new Error(`admin login: ${login.status}`);
  // Ready is not yet warm: on a machine busy with other suites, a service's first
  // queries can be slow enough that the gateway opens its circuit for a few seconds, as
  // it should, or that a shelf of the home page misses its 1 s and the page comes
  // without it, as it should. The shop's tests begin once the catalog answers through
  // the gateway and the home page comes whole.
  await waitFor(
    'the catalog through the gateway, and the home page whole',
    async () => {
      const products = await fetch(`${gateway}/api/v1/products?limit=1`);
      await products.arrayBuffer(); // read, so its connection goes back to the pool
      if (products.status !== 200) return undefined;
      const home = await fetch(`${gateway}/api/v1/storefront/home`);
      const body = (await home.json()) as { warnings?: unknown[] };
      return home.status === 200 && body.warnings?.length === 0 ? true : undefined;
    },
    60_000,
  );
  return { platform, shop: new Shop(gateway, ((await login.json()) as { accessToken: string }).accessToken) };
}
