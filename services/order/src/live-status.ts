// Live order status: `GET /api/v1/orders/{id}/events` as server-sent events. Each
// recorded order event is one SSE event whose id is its sequence number in the event
// store, so a client that reconnects with `Last-Event-ID` gets exactly what it missed.
// Each commit of an order sends NOTIFY `order_events` with its id once it committed
// (commit.ts; so only what committed is announced); each instance LISTENs on one connection and reads what is
// new for the streams it holds. A stream ends after the order's final status.
import {
  type App,
  type Logger,
  openEventStream,
  type Pool,
  type PoolClient,
  type Principal,
  type ServerSentEvent,
} from '@platform/chassis';
import { orders } from '@platform/contracts';
import { evolve, isTerminal, type Order, type RecordedEvent } from './domain/order.ts';
import { BadLastEventId, OrderNotFound } from './errors.ts';
import { findOrder, loadEvents } from './store.ts';

const HEARTBEAT_MS = 15_000;
const RELISTEN_MS = 1_000;

interface Stream {
  orderId: string;
  /** The sequence number last written to the client. */
  seq: number;
  write(frame: ServerSentEvent): void;
  end(): void;
  /** Reads and writes what is new; serialized per stream. */
  pending: Promise<void>;
}

export interface LiveStatus {
  register(app: App): void;
  /** Ends every open stream (before the server drains) and stops listening. */
  close(): Promise<void>;
}

/** One SSE frame per order event: `status` when the status changed, `progress` otherwise. */
export function frameFor(
  seq: number,
  recorded: RecordedEvent,
  before: Order | undefined,
  after: Order,
): ServerSentEvent {
  const entry = after.timeline.at(-1);
  const kind = before?.status === after.status ? 'progress' : 'status';
  const data = {
    seq,
    type: recorded.event.type,
    status: after.status,
    ...(after.reason !== undefined ? { reason: after.reason } : {}),
    at: recorded.at,
    ...(entry ? { step: entry.step, outcome: entry.outcome } : {}),
    ...(entry?.detail ? { detail: entry.detail } : {}),
  };
  return { id: String(seq), event: kind, data: JSON.stringify(data) };
}

/** `Last-Event-ID` as a sequence number; absent is 0 (everything), malformed is a 400. */
export function lastEventId(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,9}$/.test(value))
    throw new BadLastEventId('Last-Event-ID must be an event id from this stream');
  return Number(value);
}

export function liveStatus(pool: Pool, log: Logger): LiveStatus {
  const streams = new Set<Stream>();
  let listener: PoolClient | undefined;
  let closed = false;
  let relisten: NodeJS.Timeout | undefined;
  // A connection can report its loss more than once, or after close() gave it back
  // (a Ctrl-C reaches PostgreSQL too): giving it back twice throws.
  const released = new WeakSet<PoolClient>();
  const giveBack = (client: PoolClient, error?: Error) => {
    if (released.has(client)) return;
    released.add(client);
    client.release(error);
  };

  async function catchUp(stream: Stream): Promise<void> {
    // The fold needs every event (an order has a few dozen); only those after `seq` are written.
    const events = await loadEvents(pool, stream.orderId);
    let order: Order | undefined;
    for (const [index, recorded] of events.entries()) {
      const seq = index + 1;
      const after = evolve(order, recorded, stream.orderId);
      if (after && seq > stream.seq) {
        stream.write(frameFor(seq, recorded, order, after));
        stream.seq = seq;
      }
      order = after;
    }
    if (order && isTerminal(order.status)) stream.end();
  }

  function refresh(stream: Stream): void {
    stream.pending = stream.pending
      .then(() => catchUp(stream))
      .catch((error: unknown) =>
        log.warn({ err: error, orderId: stream.orderId }, 'live status read failed'),
      );
  }

  async function listen(): Promise<void> {
    if (closed) return;
    try {
      const client = await pool.connect();
      client.on('notification', (message) => {
        for (const stream of streams) if (stream.orderId === message.payload) refresh(stream);
      });
      client.on('error', (error) => {
        if (released.has(client)) return;
        giveBack(client, error);
        if (listener === client) listener = undefined;
        if (closed) return;
        log.warn({ err: error }, 'live status listener lost its connection; listening again');
        relisten = setTimeout(() => void listen(), RELISTEN_MS);
      });
      await client.query('LISTEN order_events');
      listener = client;
      // Whatever was appended while nobody listened.
      for (const stream of streams) refresh(stream);
    } catch (error) {
      log.warn({ err: error }, 'live status cannot listen yet');
      relisten = setTimeout(() => void listen(), RELISTEN_MS);
    }
  }

  return {
    register(app) {
      void listen();
      app.get(
        '/api/v1/orders/:id/events',
        {
          config: { access: 'user', errors: [BadLastEventId, OrderNotFound] },
          schema: {
            summary: 'The order as it moves, as server-sent events; reconnect with Last-Event-ID',
            tags: ['orders'],
            params: orders.OrderParams,
            headers: { type: 'object', properties: { 'last-event-id': { type: 'string' } } },
            produces: ['text/event-stream'],
          },
        },
        async (request, reply) => {
          const principal = request.principal as Principal;
          const from = lastEventId(request.headers['last-event-id']);
          const order = await findOrder(pool, request.params.id);
          if (!order || (order.userId !== principal.subject && !principal.roles.includes('admin'))) {
            throw new OrderNotFound(`No order ${request.params.id}`);
          }
          const events = openEventStream(request, reply, { heartbeatMs: HEARTBEAT_MS });
          const stream: Stream = {
            orderId: order.id,
            seq: from,
            write: (frame) => events.send(frame),
            end: () => events.end(),
            pending: Promise.resolve(),
          };
          streams.add(stream);
          events.onClose(() => streams.delete(stream));
          refresh(stream);
        },
      );
    },
    async close() {
      closed = true;
      clearTimeout(relisten);
      for (const stream of streams) stream.end();
      streams.clear();
      const client = listener;
      listener = undefined;
      if (client) {
        await client.query('UNLISTEN order_events').catch(() => undefined);
        giveBack(client);
      }
    },
  };
}
