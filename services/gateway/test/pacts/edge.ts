// The real gateway for its consumer pacts: the upstreams a pact is about at Pact's mock
// providers (`mocks`, e.g. { CATALOG_URL: server.url }), the others it asks on the way
// played by the stand-in of the gateway's own tests (`standIns`, answering 200 with an
// empty page unless `answer` says otherwise). Started for one test, closed after it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { type GatewayWithStandIn, gatewayWithStandIn } from '../stand-in.ts';

export interface EdgeOptions {
  mocks: Record<string, string>;
  standIns: string[];
  answer?: (request: IncomingMessage, response: ServerResponse) => void;
}

export async function throughGateway<T>(
  options: EdgeOptions,
  run: (gateway: GatewayWithStandIn) => Promise<T>,
): Promise<T> {
  const gateway = await gatewayWithStandIn(options.standIns, {
    env: options.mocks,
    ...(options.answer ? { answer: options.answer } : {}),
  });
  try {
    return await run(gateway);
  } finally {
    await gateway.close();
  }
}

/** `GET path` of the gateway, as a shopper (with `token`) or a guest: its status, type and JSON. */
export async function shopperGets<T>(
  gateway: GatewayWithStandIn,
  path: string,
  token?: string,
): Promise<{ status: number; contentType: string | null; body: T }> {
  const response = await fetch(`${gateway.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as T,
  };
}

/** Order details whole (not degraded), whatever the repository's flag file says; close it after. */
export function wholeDetails(): Promise<TestFlags> {
  return testFlags({ orderDetailsDegraded: flag({ on: true, off: false }, 'off') });
}

/** An order's details as the gateway composes them (`GET /api/v1/orders/{id}/details`). */
export interface DetailsBody {
  order?: { id: string };
  payment?: { id: string; status: string } | null;
  shipment?: unknown;
  warnings?: Array<{ part: string; detail: string }>;
}

/**
 * The order details of `orderId`, asked as a customer of a gateway whose `mocks`
 * (ORDER_URL, PAYMENT_URL, SHIPPING_URL) are Pact's and whose other parts
 * (`standIns`) answer `answer(request)` as JSON.
 */
export function detailsThroughGateway(
  mocks: Record<string, string>,
  standIns: string[],
  answer: (request: IncomingMessage) => unknown,
  orderId: string,
) {
  const options: EdgeOptions = {
    mocks,
    standIns,
    answer: (request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(request))),
  };
  return throughGateway(options, async (gateway) =>
    shopperGets<DetailsBody>(gateway, `/api/v1/orders/${orderId}/details`, await gateway.token(['customer'])),
  );
}
