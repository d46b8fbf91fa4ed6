// Everything a run needs before its first request, read from a running platform
// through its gateway: the API document, a shopper and the administrator signed in,
// an order to find (so order, payment and shipment ids exist), and the real ids.
import { randomUUID } from 'node:crypto';
import { discoverKnownValues, type KnownValuePool } from './known.ts';
import { type OpenApiDocument, operationsOf } from './openapi.ts';
import { type Credentials, Session } from './session.ts';

export interface Prepared {
  document: OpenApiDocument;
  session: Session;
  known: KnownValuePool;
}

async function post<T>(gateway: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Places one order as `token`, trying the first few products until one is taken,
 * whatever its stock (a rejected order is an order too). Best effort: without an order
 * the run still goes, with random ids where real ones would have been.
 */
async function placeAnOrder(gateway: string, token: string): Promise<void> {
  const page = (await (await fetch(`${gateway}/api/v1/products?limit=5`)).json()) as {
    data?: Array<{ id: string }>;
  };
  for (const { id: productId } of page.data ?? []) {
    const placed = await post(
      gateway,
      '/api/v1/orders',
      {
        items: [{ productId, quantity: 1 }],
        shippingAddress: {
          name: 'Fuzz',
          line1: '1 Market St',
          city: 'San Francisco',
          postalCode: '94107',
          country: 'US',
        },
        payment: { cardNumber: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' },
      },
      { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
    ).then(
      () => true,
      () => false,
    );
    if (placed) return;
  }
}

/**
 * Signs in as the administrator (`adminEmail`, `adminPassword`) and as a new shopper,
 * places an order as the shopper, and reads the document and the real ids.
 */
export async function prepare(
  gateway: string,
  admin: { email: string; password: string },
): Promise<Prepared> {
  const adminCredentials = await post<Credentials>(gateway, '/api/v1/auth/login', admin);
  const user = await post<Credentials>(gateway, '/api/v1/auth/register', {
    email: `fuzz-${randomUUID().slice(0, 8)}@example.test`,
    password: 'correct horse battery staple',
    name: 'Fuzz Shopper',
  });
  await placeAnOrder(gateway, user.accessToken);
  const response = await fetch(`${gateway}/api/docs/openapi.json`);
  if (!response.ok) throw new Error(`the API document: ${response.status}`);
  const document = (await response.json()) as OpenApiDocument;
  const known = await discoverKnownValues(gateway, operationsOf(document), [
    adminCredentials.accessToken,
    user.accessToken,
  ]);
  return { document, session: new Session(gateway, { user, admin: adminCredentials }), known };
}
