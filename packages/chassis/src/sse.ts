// Server-sent events on a Fastify reply: the headers, a retry hint, heartbeats that keep
// proxies from closing an idle stream, and frames that are never written to a stream
// whose client has left.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ServerSentEvent {
  event?: string;
  id?: string;
  data: string;
}

/** One event on the wire; text spanning lines is sent as several `data:` lines, as the format requires. */
export function formatEvent({ event, id, data }: ServerSentEvent): string {
  const lines = data.split(/\r?\n/).map((line) => `data: ${line}`);
  return `${event ? `event: ${event}\n` : ''}${id ? `id: ${id}\n` : ''}${lines.join('\n')}\n\n`;
}

export interface EventStream {
  send(event: ServerSentEvent): void;
  /** Ends the stream from this side. */
  end(): void;
  /** The client is still there. */
  readonly open: boolean;
  /** Runs once the stream is closed, from either side. */
  onClose(callback: () => void): void;
}

export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { retryMs?: number; heartbeatMs?: number } = {},
): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    'x-accel-buffering': 'no',
    'x-correlation-id': request.id,
  });
  const isOpen = () => !raw.writableEnded && !raw.destroyed;
  raw.write(`retry: ${options.retryMs ?? 2_000}\n\n`);
  const heartbeat = setInterval(
    () => isOpen() && raw.write(': keep-alive\n\n'),
    options.heartbeatMs ?? 15_000,
  );
  raw.on('close', () => clearInterval(heartbeat));
  return {
    send: (event) => void (isOpen() && raw.write(formatEvent(event))),
    end: () => void (isOpen() && raw.end()),
    get open() {
      return isOpen();
    },
    onClose: (callback) => void raw.on('close', callback),
  };
}
