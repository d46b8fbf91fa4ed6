// The cart, shipping and payment services as far as placing an order asks them: a
// small stand-in over real HTTP for the order service's own tests, and what the
// participants say on the bus, as their contracts have it.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createHttp2Server, type Http2Session } from 'node:http2';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { cart, EventData } from '@platform/contracts';
import {
  QuoteShippingResponseSchema,
  ShippingQuoteService,
} from '@platform/contracts/gen/platform/shipping/v1/quotes_pb.js';

export const ADDRESS = {
  name: 'Ada',
  line1: '1 Main Street',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};
export const CARD = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
/** A country the stand-in shipping service does not serve. */
export const NOWHERE = 'AQ';
/** A card the stand-in payment service refuses to turn into a payment method. */
export const EXPIRED_CARD = { ...CARD, cardNumber: '4000000000000069' };

/** The cart, shipping and payment services, as far as placing an order asks them. */
export interface Peers {
  url: string;
  /** Shipping's quotes over gRPC (HTTP/2). */
  grpcUrl: string;
  carts: Map<string, cart.CartItem[]>;
  close(): Promise<void>;
}

/** Shipping's quote service over gRPC: 5.00 anywhere but NOWHERE. */
async function startQuotes(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttp2Server(
    connectNodeAdapter({
      routes: (router) =>
        router.service(ShippingQuoteService, {
          quoteShipping(request) {
            if (request.country === NOWHERE)
              throw new ConnectError(`We do not ship to ${NOWHERE}`, Code.FailedPrecondition);
            return create(QuoteShippingResponseSchema, {
              price: { amount: 500n, currency: request.currency },
              service: 'standard',
              estimatedDays: 3,
            });
          },
        }),
    }),
  );
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

export async function startPeers(): Promise<Peers> {
  const carts = new Map<string, cart.CartItem[]>();
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const path = (request.url ?? '').replace(/\/internal\/carts\/.*/, '/internal/carts/{userId}');
    const answer = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (path === '/internal/carts/{userId}') {
      const userId = decodeURIComponent((request.url ?? '').split('/').at(-1) ?? '');
      return answer(200, { items: carts.get(userId) ?? [] });
    }
    if (path === '/internal/payment-methods') {
      if (body.cardNumber === EXPIRED_CARD.cardNumber) return answer(422, { detail: 'The card has expired' });
      return answer(201, {
        id: `pm_${String(body.cardNumber).slice(-4)}`,
        brand: 'visa',
        last4: String(body.cardNumber).slice(-4),
      });
    }
    answer(404, { detail: `no stand-in for ${request.method} ${path}` });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const grpc = await startQuotes();
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    grpcUrl: grpc.url,
    carts,
    close: async () => {
      await grpc.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

type Said =
  | 'inventory.stock.reserved'
  | 'inventory.stock.reservation-failed'
  | 'inventory.stock.released'
  | 'inventory.stock.committed'
  | 'payment.authorized'
  | 'payment.failed'
  | 'payment.captured'
  | 'payment.voided'
  | 'shipping.scheduled'
  | 'shipping.cancelled'
  | 'shipping.shipped'
  | 'shipping.delivered';

const SHIPMENT = '00000000-0000-4000-8000-00000000005e';
const PAYMENT = '00000000-0000-4000-8000-00000000009a';

/** What a participant says about `orderId`, as its contract has it (a payment of 32.00, parcel TRK-1). */
export function saying<T extends Said>(type: T, orderId: string): EventData<T> {
  const at = new Date().toISOString();
  const money = { amount: 3_200, currency: 'USD' };
  const parcel = { orderId, shipmentId: SHIPMENT, trackingNumber: 'TRK-1', at };
  const data: { [S in Said]: EventData<S> } = {
    'inventory.stock.reserved': { orderId, lines: [], expiresAt: at },
    'inventory.stock.reservation-failed': { orderId, reason: 'insufficient stock', shortages: [] },
    'inventory.stock.released': { orderId, reason: 'compensation' },
    'inventory.stock.committed': { orderId },
    'payment.authorized': { orderId, paymentId: PAYMENT, amount: money },
    'payment.failed': { orderId, code: 'card_declined', reason: 'Your card was declined' },
    'payment.captured': { orderId, paymentId: PAYMENT, amount: money },
    'payment.voided': { orderId, paymentId: PAYMENT },
    'shipping.scheduled': parcel,
    'shipping.cancelled': { orderId, shipmentId: SHIPMENT },
    'shipping.shipped': parcel,
    'shipping.delivered': parcel,
  };
  return data[type];
}
