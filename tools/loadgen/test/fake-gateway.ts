// A tiny stand-in for the gateway, for tests of the run itself: node:http on a free
// port, answering with whatever the test's handler says (and when).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountPool } from '../src/accounts.ts';
import { type Catalog, productOf } from '../src/catalog.ts';
import { Gateway } from '../src/client.ts';
import { type Mix, parseMix } from '../src/mix.ts';
import { LoadRun, type RunHooks, type RunSettings } from '../src/run.ts';

export type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

export interface FakeGateway {
  url: string;
  close(): Promise<void>;
}

export async function fakeGateway(handler: Handler): Promise<FakeGateway> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', () => handler(request, response, body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export function json(response: ServerResponse, status: number, value: unknown): void {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  response.writeHead(status, { 'content-type': type }).end(JSON.stringify(value));
}

const [first, second, soldOut] = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
].map(productOf) as [
  ReturnType<typeof productOf>,
  ReturnType<typeof productOf>,
  ReturnType<typeof productOf>,
];

/** A shop of two products in one category, found by one search, and one sold out. */
export const tinyCatalog: Catalog = {
  categories: [
    { id: 'audio', pages: [{ path: '/api/v1/products?category=audio&page=1', products: [first, second] }] },
  ],
  searches: [{ prefix: 'hea', path: '/api/v1/products?q=hea', products: [first] }],
  stocked: [first, second],
  outOfStock: soldOut,
};

/** A run of `mix` against `url`, with `accounts` signed-in shoppers whose tokens are fake. */
export function runAgainst(
  url: string,
  mix: unknown,
  settings: Partial<RunSettings> & Pick<RunSettings, 'shape' | 'durationMs'>,
  options: { accounts?: number; hooks?: RunHooks; connections?: number } = {},
) {
  const gateway = new Gateway(url, {
    connections: options.connections ?? 64,
    timeoutMs: settings.timeoutMs ?? 5_000,
  });
  const accounts = Array.from({ length: options.accounts ?? 0 }, (_, n) => ({
    email: `shopper-${n}@example.test`,
    credentials: '{}',
    refreshToken: 'r',
    headers: { authorization: `Bearer shopper-${n}` },
    jsonHeaders: { authorization: `Bearer shopper-${n}`, 'content-type': 'application/json' },
  }));
  const run = new LoadRun(
    { warmupMs: 0, maxLive: 1_000, timeoutMs: 5_000, seed: 1, ...settings },
    {
      gateway,
      mix: parseMix(mix) as Mix,
      catalog: tinyCatalog,
      accounts: new AccountPool(accounts, gateway),
    },
    options.hooks,
  );
  return {
    run,
    result: run.run().finally(() => gateway.close()),
  };
}
