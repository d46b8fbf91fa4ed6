// SQL of the order service: the event store, its projection, and saga rows.
import { prepared, type Queryable } from '@platform/chassis';
import type { orders } from '@platform/contracts';
import type { OrderDecision, SagaRecord } from './domain/decision.ts';
import { evolve, type Order, type OrderEvent, type RecordedEvent } from './domain/order.ts';

export class ConcurrentAppend extends Error {
  override name = 'ConcurrentAppend';
}

export const UNIQUE_VIOLATION = '23505';

export function toApiOrder(order: Order): orders.Order {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    ...(order.reason !== undefined ? { reason: order.reason } : {}),
    items: order.items,
    totals: order.totals,
    shippingAddress: order.shippingAddress,
    card: order.card,
    sagaMode: order.sagaMode,
    timeline: order.timeline,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    version: order.version,
  };
}

/** A time as the API shows it (ISO 8601, milliseconds, UTC), formatted by PostgreSQL. */
const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** SQL: the events of the order whose id is `idColumn`, as one JSON array in sequence. */
export const EVENTS_OF = (idColumn: string) => `(
  SELECT json_agg(json_build_object('type', e.type, 'data', e.data,
    'at', to_char(e.recorded_at AT TIME ZONE 'UTC', ${ISO_MS})) ORDER BY e.seq)
  FROM order_events e WHERE e.order_id = ${idColumn})`;

export type EventsRow = {
  /** The order's version as its locked projection row has it now. */
  version: number;
  events: Array<{ type: OrderEvent['type']; data: OrderEvent['data']; at: string }> | null;
};

export const recordedEvents = (events: EventsRow['events']): RecordedEvent[] =>
  (events ?? []).map(({ type, data, at }) => ({ event: { type, data } as OrderEvent, at }));

/** The order's events in sequence order: the first is sequence number 1. */
export async function loadEvents(db: Queryable, orderId: string): Promise<RecordedEvent[]> {
  const { rows } = await db.query<{ type: OrderEvent['type']; data: OrderEvent['data']; at: Date }>(
    'SELECT type, data, recorded_at AS at FROM order_events WHERE order_id = $1 ORDER BY seq',
    [orderId],
  );
  return rows.map(
    (row): RecordedEvent => ({
      event: { type: row.type, data: row.data } as OrderEvent,
      at: row.at.toISOString(),
    }),
  );
}

/**
 * Where the time of the events goes in the projection until PostgreSQL has recorded
 * it: the statement puts the recorded time in its place. No stored text can hold a
 * NUL, so it stands for nothing else, and one left behind fails the jsonb cast.
 */
export const RECORDED_AT = '\u0000recorded-at';

/** SQL: the CTE `stamp`, the one time (the database's clock, to the millisecond) a write records, and its ISO text. */
export const STAMP = `stamp AS MATERIALIZED (
    SELECT at, to_char(at AT TIME ZONE 'UTC', ${ISO_MS}) AS iso
    FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at) clock)`;

// One round trip writes a move: the events appended (one time for all, the database's
// clock), the projection written once with that time, and the saga's row. (Live status
// is woken after the commit, by the doorway: commit.ts.)
const WRITE_ORDER = prepared(`
  WITH ${STAMP},
  appended AS (
    INSERT INTO order_events (order_id, seq, type, data, recorded_at)
    SELECT $1::uuid, e.seq, e.type, e.data::jsonb, stamp.at
    FROM stamp, unnest($2::int[], $3::text[], $4::text[]) AS e(seq, type, data)),
  projected AS (
    INSERT INTO orders (id, user_id, status, document, created_at, updated_at, version)
    SELECT $1::uuid, $5::text, $6::text, replace($7::text, $8::text, to_json(stamp.iso)::text)::jsonb,
      stamp.at, stamp.at, $9::int
    FROM stamp WHERE $7::text IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, document = EXCLUDED.document,
      updated_at = EXCLUDED.updated_at, version = EXCLUDED.version
    RETURNING id),
  saved AS (
    INSERT INTO sagas (order_id, mode, state, awaiting_command, earlier_commands, deadline_at, updated_at)
    SELECT $1::uuid, $10::text, $11::jsonb, $12::uuid, $13::uuid[],
      now() + make_interval(secs => $14::float8 / 1000), now()
    WHERE $10::text IS NOT NULL
    ON CONFLICT (order_id) DO UPDATE SET state = EXCLUDED.state,
      awaiting_command = EXCLUDED.awaiting_command, earlier_commands = EXCLUDED.earlier_commands,
      deadline_at = CASE WHEN $15::boolean THEN sagas.deadline_at ELSE EXCLUDED.deadline_at END,
      updated_at = EXCLUDED.updated_at)
  SELECT stamp.iso AS at FROM stamp`);

export const evolveAll = (order: Order | undefined, events: OrderEvent[], at: string, id: string) =>
  events.reduce((current, event) => evolve(current, { event, at }, id), order);

/** $2-$4: the events, numbered from `first`. */
const eventParameters = (events: OrderEvent[], first: number) => [
  events.map((_event, index) => first + index),
  events.map((event) => event.type),
  events.map((event) => JSON.stringify(event.data)),
];

/** $5-$9: the projection (none when nothing was appended), its times still `RECORDED_AT`. */
const projectionParameters = (pending: Order | undefined) => [
  pending?.userId ?? null,
  pending?.status ?? null,
  pending ? JSON.stringify(toApiOrder(pending)) : null,
  JSON.stringify(RECORDED_AT),
  pending?.version ?? null,
];

/** $10-$15: the saga's row (none: untouched). */
function sagaParameters(saga: SagaRecord | undefined): unknown[] {
  if (!saga) return [null, null, null, null, null, false];
  const awaiting = saga.mode === 'orchestration' ? saga.awaiting : { command: null, earlier: [] };
  const due = saga.dueInMs === 'keep' ? null : saga.dueInMs;
  return [saga.mode, saga.state, awaiting.command, awaiting.earlier, due, saga.dueInMs === 'keep'];
}

/**
 * Writes one move of order `id` (`order` is it before, undefined when it is being
 * placed) in one statement: the decision's events appended after `order`'s version (a
 * concurrent append fails on the primary key), the projection, the saga's row.
 * Returns the order after the move.
 */
export async function writeOrder(
  db: Queryable,
  id: string,
  order: Order | undefined,
  decision: Pick<OrderDecision, 'events' | 'saga'>,
): Promise<Order | undefined> {
  const { events } = decision;
  if (!events.length && !decision.saga) return order;
  const first = (order?.version ?? 0) + 1;
  const pending = events.length ? evolveAll(order, events, RECORDED_AT, id) : undefined;
  if (events.length && !pending) throw new Error(`order ${id} has no OrderPlaced event`);
  let recorded: { at: string } | undefined;
  try {
    const { rows } = await db.query<{ at: string }>(
      WRITE_ORDER([
        id,
        ...eventParameters(events, first),
        ...projectionParameters(pending),
        ...sagaParameters(decision.saga),
      ]),
    );
    recorded = rows[0];
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
      throw new ConcurrentAppend(`order ${id} moved past version ${first - 1}`);
    }
    throw error;
  }
  if (!recorded) throw new Error(`order ${id}: the write recorded no time`);
  return evolveAll(order, events, recorded.at, id);
}

/** The order's projection, as the API shows it. */
export async function findOrder(db: Queryable, orderId: string): Promise<orders.Order | undefined> {
  const { rows } = await db.query<{ document: orders.Order }>('SELECT document FROM orders WHERE id = $1', [
    orderId,
  ]);
  return rows[0]?.document;
}

export async function listOrders(
  db: Queryable,
  userId: string,
  page: number,
  limit: number,
): Promise<{ items: orders.Order[]; total: number }> {
  const { rows } = await db.query<{ document: orders.Order; total: number }>(
    `SELECT document, count(*) OVER () AS total FROM orders WHERE user_id = $1
     ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [userId, limit, (page - 1) * limit],
  );
  return { items: rows.map((row) => row.document), total: rows[0]?.total ?? 0 };
}

/** Sagas of `mode` whose deadline has passed, locked (skipping those another instance holds). */
export async function overdueSagas(db: Queryable, mode: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ order_id: string }>(
    `SELECT order_id FROM sagas WHERE deadline_at <= now() AND mode = $1 ORDER BY deadline_at
     LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [mode, limit],
  );
  return rows.map((row) => row.order_id);
}
