// Where a paced order's time goes between services, read from the rows the messaging
// layer keeps anyway, on the one embedded server (one clock), with commit times
// (`track_commit_timestamp`, set by the benchmark). For each message: its outbox row
// (`created_at`, when its producer's transaction began, and that transaction's
// commit), its publication (the PostgreSQL bus's `published_at`, when the relay's
// publish began; on NATS the outbox's `sent_at`, once the bus confirmed it) and each
// consumer's inbox row (`handled_at`, when the handler's transaction began, and its
// commit). Per message type and consumer group, p50/p90 of:
// - commit: the producer's transaction, begin to commit;
// - relay: commit to publication (the relay's wake-up, its claim; rows held back behind
//   open transactions);
// - deliver: publication to the consumer's transaction beginning (the bus's wake-up,
//   the claim, the queue of messages before it);
// - handle: the consumer's transaction, begin to commit;
// - turnaround: the consumer's transaction beginning to the beginning of the one that
//   wrote the message it caused (`causationid`), where that is another transaction
//   (payment's processor call).
import type pg from 'pg';
import { withAdminConnection } from '../../tools/chaos/src/faults.ts';

interface Percentiles {
  p50: number;
  p90: number;
}

export interface Leg {
  /** Message type and consumer group: `payment.authorize → payment-commands`. */
  crossing: string;
  messages: number;
  commitMs: Percentiles;
  relayMs: Percentiles;
  deliverMs: Percentiles;
  handleMs: Percentiles;
  turnaroundMs?: Percentiles;
}

interface Sent {
  eventId: string;
  orderId: string;
  type: string;
  causationId: string | null;
  createdAt: number;
  committedAt: number;
  publishedAt: number;
}

interface Handled {
  group: string;
  eventId: string;
  handledAt: number;
  committedAt: number;
}

const ms = (value: Date | null): number => (value ? value.getTime() : Number.NaN);

function percentiles(values: number[]): Percentiles {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const at = (p: number) => {
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
    return Math.round((sorted[index] ?? Number.NaN) * 10) / 10;
  };
  return { p50: at(0.5), p90: at(0.9) };
}

// xid8 to the xid the commit timestamp is kept under.
const COMMITTED = (xid: string) => `pg_xact_commit_timestamp((${xid}::text::bigint % 4294967296)::text::xid)`;

async function fromDatabase(client: pg.Client, orderIds: string[]) {
  const sent: Sent[] = [];
  const handled: Handled[] = [];
  const published = new Map<string, number>();
  const { rows } = await client.query<{ outbox: string | null; inbox: string | null; bus: string | null }>(
    `SELECT to_regclass('outbox')::text AS outbox, to_regclass('inbox')::text AS inbox,
       to_regclass('bus_messages')::text AS bus`,
  );
  const tables = rows[0];
  if (tables?.outbox) {
    const outbox = await client.query<{
      event_id: string;
      order_id: string;
      type: string;
      causation: string | null;
      created_at: Date;
      committed_at: Date | null;
      sent_at: Date | null;
    }>(
      `SELECT event_id::text, envelope->'data'->>'orderId' AS order_id, type,
         envelope->>'causationid' AS causation, created_at, sent_at,
         ${COMMITTED('txid')} AS committed_at
       FROM outbox WHERE envelope->'data'->>'orderId' = ANY($1::text[])`,
      [orderIds],
    );
    for (const row of outbox.rows) {
      sent.push({
        eventId: row.event_id,
        orderId: row.order_id,
        type: row.type,
        causationId: row.causation,
        createdAt: ms(row.created_at),
        committedAt: ms(row.committed_at),
        publishedAt: ms(row.sent_at),
      });
    }
  }
  if (tables?.bus) {
    const bus = await client.query<{ event_id: string; published_at: Date }>(
      `SELECT event_id, published_at FROM bus_messages WHERE envelope->'data'->>'orderId' = ANY($1::text[])`,
      [orderIds],
    );
    for (const row of bus.rows) published.set(row.event_id, ms(row.published_at));
  }
  if (tables?.inbox) {
    const inbox = await client.query<{
      group_name: string;
      event_id: string;
      handled_at: Date;
      committed_at: Date;
    }>(
      `SELECT group_name, event_id, handled_at, pg_xact_commit_timestamp(xmin) AS committed_at
       FROM inbox WHERE handled_at > now() - interval '1 hour'`,
    );
    for (const row of inbox.rows) {
      handled.push({
        group: row.group_name,
        eventId: row.event_id,
        handledAt: ms(row.handled_at),
        committedAt: ms(row.committed_at),
      });
    }
  }
  return { sent, handled, published };
}

/** Every message about `orderIds` and every consumer's handling of it, from every database. */
async function collect(dataDir: string, orderIds: string[]) {
  const databases = await withAdminConnection(dataDir, 'postgres', async (client) =>
    (
      await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'`,
      )
    ).rows.map((row) => row.datname),
  );
  const sent: Sent[] = [];
  const handled: Handled[] = [];
  const published = new Map<string, number>();
  for (const database of databases) {
    const found = await withAdminConnection(dataDir, database, (client) => fromDatabase(client, orderIds));
    sent.push(...found.sent);
    handled.push(...found.handled);
    for (const [id, at] of found.published) published.set(id, at);
  }
  // The bus's own publication time where there is one (the PostgreSQL bus).
  for (const message of sent) message.publishedAt = published.get(message.eventId) ?? message.publishedAt;
  return { sent, handled };
}

type LegName = 'commit' | 'relay' | 'deliver' | 'handle' | 'turnaround';

/** An order's crossings in the order written, each with the legs that were slow. */
export type Path = Array<{ crossing: string; slowLegs: Partial<Record<LegName, number>> }>;

/** One consumer's handling of one message, leg by leg (ms), in the order the messages were written. */
interface Crossing {
  crossing: string;
  orderId: string;
  at: number;
  legs: Partial<Record<LegName, number>>;
}

function crossingsOf({ sent, handled }: { sent: Sent[]; handled: Handled[] }): Crossing[] {
  const byId = new Map(sent.map((message) => [message.eventId, message]));
  // What each handling caused: the earliest message whose causation is the handled one.
  const caused = new Map<string, number>();
  for (const message of sent) {
    if (!message.causationId) continue;
    const before = caused.get(message.causationId);
    if (before === undefined || message.createdAt < before)
      caused.set(message.causationId, message.createdAt);
  }
  const crossings: Crossing[] = [];
  for (const handling of handled) {
    const message = byId.get(handling.eventId);
    if (!message) continue;
    const legs: Crossing['legs'] = {
      commit: message.committedAt - message.createdAt,
      relay: message.publishedAt - message.committedAt,
      deliver: handling.handledAt - message.publishedAt,
      handle: handling.committedAt - handling.handledAt,
    };
    const next = caused.get(message.eventId);
    // Written in the handler's own transaction, the caused message adds nothing of its own.
    if (next !== undefined && next > handling.handledAt) legs.turnaround = next - handling.handledAt;
    crossings.push({
      crossing: `${message.type} → ${handling.group}`,
      orderId: message.orderId,
      at: message.createdAt,
      legs,
    });
  }
  return crossings.sort((a, b) => a.at - b.at);
}

/** The legs of every crossing the paced orders made (a platform's data folder), busiest first. */
export async function legsOf(dataDir: string, orderIds: string[]): Promise<Leg[]> {
  const byCrossing = new Map<string, Record<LegName, number[]>>();
  for (const { crossing, legs } of crossingsOf(await collect(dataDir, orderIds))) {
    const all = byCrossing.get(crossing) ?? {
      commit: [],
      relay: [],
      deliver: [],
      handle: [],
      turnaround: [],
    };
    byCrossing.set(crossing, all);
    for (const [name, value] of Object.entries(legs) as Array<[LegName, number]>) all[name].push(value);
  }
  return [...byCrossing.entries()]
    .map(([crossing, legs]) => ({
      crossing,
      messages: legs.relay.length,
      commitMs: percentiles(legs.commit),
      relayMs: percentiles(legs.relay),
      deliverMs: percentiles(legs.deliver),
      handleMs: percentiles(legs.handle),
      ...(legs.turnaround.length > 0 ? { turnaroundMs: percentiles(legs.turnaround) } : {}),
    }))
    .sort((a, b) => b.messages - a.messages || a.crossing.localeCompare(b.crossing));
}

/**
 * The path of each of `orderIds` (the slowest of a run, say): every crossing its
 * messages made, in the order they were written, with each leg that took `overMs` or
 * more, so a tail's cause shows (one stalled delivery, a long transaction).
 */
export async function pathsOf(dataDir: string, orderIds: string[], overMs = 20): Promise<Map<string, Path>> {
  const paths = new Map(orderIds.map((id): [string, Path] => [id, []]));
  for (const { crossing, orderId, legs } of crossingsOf(await collect(dataDir, orderIds))) {
    const slowLegs = Object.fromEntries(
      Object.entries(legs)
        .filter(([, value]) => value >= overMs)
        .map(([name, value]) => [name, Math.round(value)]),
    );
    paths.get(orderId)?.push({ crossing, slowLegs });
  }
  return paths;
}

/** One line a crossing, for the console. */
export function describeLeg(leg: Leg): string {
  const pair = ({ p50, p90 }: Percentiles) => `${p50}/${p90}`;
  const turnaround = leg.turnaroundMs ? `, then ${pair(leg.turnaroundMs)}` : '';
  return `    ${leg.crossing} (${leg.messages}): commit ${pair(leg.commitMs)}, relay ${pair(leg.relayMs)}, deliver ${pair(leg.deliverMs)}, handle ${pair(leg.handleMs)}${turnaround}`;
}

/** An order's path for the console: its crossings in order, and what was slow in each. */
export function describePath(orderId: string, totalMs: number, path: Path): string {
  const steps = path.map(({ crossing, slowLegs }) => {
    const slow = Object.entries(slowLegs).map(([name, value]) => `${name} ${value}`);
    return `      ${crossing}${slow.length > 0 ? `: ${slow.join(', ')}` : ''}`;
  });
  return [`    ${orderId}: ${totalMs} ms`, ...steps].join('\n');
}
