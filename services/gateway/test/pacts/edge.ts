// The real gateway for its consumer pacts: the upstreams a pact is about at Pact's mock
// providers (`mocks`, e.g. { CATALOG_URL: server.url }), the others it asks on the way
// played by the stand-in of the gateway's own tests (`standIns`, answering 200 with an
// empty page unless `answer` says otherwise). Started for one test, closed after it.
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** `GET path` of the gateway, as a shopper (with `token`) or a guest: its status and JSON. */
export async function shopperGets<T>(
  gateway: GatewayWithStandIn,
  path: string,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${gateway.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as T };
}
