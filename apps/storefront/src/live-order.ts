// The order's page, live: the storefront follows the order service's event stream
// through the gateway with the shopper's token, and sends the page the live part of the
// order again as HTML at each step (as the console's live sections are). A stream that
// reconnects with Last-Event-ID resumes where it stopped; the stream ends with the order.
import { setTimeout as sleep } from 'node:timers/promises';
import { type App, isUuid, openEventStream } from '@platform/chassis';
import { cookieOf, markupOf } from '@platform/web';
import type { FastifyRequest } from 'fastify';
import type { UpstreamStream } from './gateway.ts';
import { orderDetails, soldOutLines } from './order-routes.ts';
import { orderLive } from './pages/orders.ts';
import { callerOf, SESSION_COOKIE, type ShopDeps, visitOf } from './visit.ts';

/** The order service beats every 15 s; a silence of a minute is a stream gone dead. */
const IDLE_MS = 60_000;
/** Events closer together than this are shown once (a new stream starts with the whole history). */
const BURST_MS = 100;

/** The id of an event frame; undefined for a comment or a retry hint. */
function eventIdOf(frame: string): string | undefined {
  const lines = frame.split('\n');
  if (!lines.some((line) => line.startsWith('data:'))) return undefined;
  return (
    lines
      .find((line) => line.startsWith('id:'))
      ?.slice(3)
      .trim() ?? ''
  );
}

/** Each burst of the upstream's events, as the id of its last one. */
async function* bursts(upstream: UpstreamStream): AsyncGenerator<string> {
  const frames = upstream.frames[Symbol.asyncIterator]();
  // A read still waiting when the stream is closed under it fails: that is expected, not unhandled.
  const read = () => {
    const pending = frames.next();
    pending.catch(() => undefined);
    return pending;
  };
  let next = read();
  for (;;) {
    const first = await next;
    if (first.done) return;
    let last = eventIdOf(first.value);
    next = read();
    let ended = false;
    for (;;) {
      const more = await Promise.race([next, sleep(BURST_MS).then(() => undefined)]);
      if (!more) break;
      if (more.done) {
        ended = true;
        break;
      }
      last = eventIdOf(more.value) ?? last;
      next = read();
    }
    if (last !== undefined) yield last;
    if (ended) return;
  }
}

export function registerLiveOrder(shop: App, deps: ShopDeps): void {
  shop.get('/orders/:id/live', async (request: FastifyRequest, reply) => {
    const visit = visitOf(request);
    const { id } = request.params as { id: string };
    if (!visit.shopper.user) return reply.code(401).type('text/plain').send('Sign in first');
    if (!isUuid(id)) return reply.code(404).type('text/plain').send('No such order');
    const header = request.headers['last-event-id'];
    const lastEventId = typeof header === 'string' && /^\d{1,12}$/.test(header) ? header : undefined;
    const upstream = await deps.gateway.stream(
      `/api/v1/orders/${id}/events`,
      visit.caller,
      lastEventId,
      IDLE_MS,
    );
    if (upstream.status !== 200) {
      upstream.close();
      return reply
        .code(upstream.status === 404 ? 404 : 503)
        .type('text/plain')
        .send('The order cannot be followed now');
    }
    const stream = openEventStream(request, reply, { retryMs: 3_000 });
    stream.onClose(() => upstream.close());
    try {
      for await (const eventId of bursts(upstream)) {
        // A stream can outlast an access token: the session gives a current one each time.
        const shopper = await deps.sessions.shopperOf(cookieOf(request, SESSION_COOKIE));
        const details = shopper.user ? await orderDetails(deps.gateway, callerOf(shopper), id) : undefined;
        if (!details || !stream.open) break;
        const shortages = await soldOutLines(deps.gateway, details.order);
        const live = orderLive(details, { formToken: visit.formToken, shortages });
        stream.send({ event: 'html', id: eventId, data: markupOf(live) });
      }
      stream.send({ event: 'end', data: 'the order has settled' });
    } catch (error) {
      // The shopper left (the upstream was closed under us) or the gateway went away.
      if (stream.open) request.log.warn({ err: error, orderId: id }, 'live order stream broke off');
    } finally {
      upstream.close();
      stream.end();
    }
  });
}
