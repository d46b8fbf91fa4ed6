// The gateway's composed answers driven for real, one upstream played by Pact's mock
// server and the others by the tests' stand-ins: what the gateway sends the upstream
// is what its pact records, and what it makes of the answer is asserted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { type GatewayWithStandIn, gatewayWithStandIn } from '../stand-in.ts';

/** Order details whole (not degraded), whatever the repository's flag file says; close it after. */
export function wholeDetails(): Promise<TestFlags> {
  return testFlags({ orderDetailsDegraded: flag({ on: true, off: false }, 'off') });
}

/** An order's details as the gateway composes them (`GET /api/v1/orders/{id}/details`). */
export interface Details {
  status: number;
  contentType: string | null;
  body: {
    order?: unknown;
    payment?: unknown;
    shipment?: unknown;
    warnings?: Array<{ part: string; detail: string }>;
  };
}

const answerJson = (response: ServerResponse, body: unknown) =>
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/**
 * A gateway whose `upstream` variable (ORDER_URL, SHIPPING_URL) is Pact's mock server
 * and whose other order-details parts (`standIns`) answer as `answer` says.
 */
export async function detailsThroughGateway(
  upstream: Record<string, string>,
  standIns: string[],
  answer: (request: IncomingMessage) => unknown,
  orderId: string,
): Promise<Details> {
  const gateway: GatewayWithStandIn = await gatewayWithStandIn(standIns, {
    answer: (request, response) => answerJson(response, answer(request)),
    env: upstream,
  });
  try {
    const token = await gateway.token(['customer']);
    const response = await fetch(`${gateway.url}/api/v1/orders/${orderId}/details`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Details['body'],
    };
  } finally {
    await gateway.close();
  }
}
