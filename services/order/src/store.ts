// SQL of the order service: the event store, its projection, and saga rows.
import type { Queryable } from '@platform/chassis';
import type { orders } from '@platform/contracts';
import type { Choreography } from './domain/choreography.ts';
import { evolve, fold, type Order, type OrderEvent, type RecordedEvent } from './domain/order.ts';
import type { Awaiting, SagaState } from './domain/saga.ts';

export class ConcurrentAppend extends Error {
  override name = 'ConcurrentAppend';
}

const UNIQUE_VIOLATION = '23505';

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

export async function loadOrder(db: Queryable, orderId: string): Promise<Order | undefined> {
  return fold(orderId, await loadEvents(db, orderId));
}

/**
 * Appends `events` after `order` (its version is the expected one: a concurrent
 * append fails on the primary key) and rewrites the projection in the same transaction.
 */
export async function appendEvents(
  db: Queryable,
  orderId: string,
  order: Order | undefined,
  events: OrderEvent[],
): Promise<Order> {
  const first = (order?.version ?? 0) + 1;
  let recordedAt: Date | undefined;
  try {
    // Every event of the append in one statement (one round trip), all with one time.
    const { rows } = await db.query<{ at: Date }>(
      `INSERT INTO order_events (order_id, seq, type, data, recorded_at)
       SELECT $1, e.seq, e.type, e.data::jsonb, c.at
       FROM (SELECT clock_timestamp() AS at) c,
            unnest($2::int[], $3::text[], $4::text[]) AS e(seq, type, data)
       RETURNING recorded_at AS at`,
      [
        orderId,
        events.map((_event, index) => first + index),
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event.data)),
      ],
    );
    recordedAt = rows[0]?.at;
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
      throw new ConcurrentAppend(`order ${orderId} moved past version ${first - 1}`);
    }
    throw error;
  }
  const at = (recordedAt ?? new Date()).toISOString();
  let current = order;
  for (const event of events) current = evolve(current, { event, at }, orderId);
  if (!current) throw new Error(`order ${orderId} has no OrderPlaced event`);
  // The projection, and a NOTIFY that live status streams hear once (and only if)
  // this transaction commits: one round trip on every append.
  await db.query(
    `WITH saved AS (
       INSERT INTO orders (id, user_id, status, document, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET status = $3, document = $4, updated_at = $6, version = $7
       RETURNING id)
     SELECT pg_notify('order_events', id::text) FROM saved`,
    [
      orderId,
      current.userId,
      current.status,
      toApiOrder(current),
      current.createdAt,
      current.updatedAt,
      current.version,
    ],
  );
  return current;
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

export interface SagaRow {
  orderId: string;
  state: SagaState;
  awaiting: Awaiting;
}

/** The saga of `orderId`, locked until the transaction ends. */
export async function lockSaga(db: Queryable, orderId: string): Promise<SagaRow | undefined> {
  const { rows } = await db.query<{ state: SagaState; awaiting_command: string | null; earlier: string[] }>(
    `SELECT state, awaiting_command, earlier_commands AS earlier FROM sagas WHERE order_id = $1 FOR UPDATE`,
    [orderId],
  );
  const row = rows[0];
  return row
    ? { orderId, state: row.state, awaiting: { command: row.awaiting_command, earlier: row.earlier } }
    : undefined;
}

/** Saves a saga; `deadlineMs` from now (null: no deadline). */
export async function saveSaga(
  db: Queryable,
  orderId: string,
  mode: string,
  state: SagaState,
  awaiting: Awaiting,
  deadlineMs: number | null,
): Promise<void> {
  await db.query(
    `INSERT INTO sagas (order_id, mode, state, awaiting_command, earlier_commands, deadline_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::float8 / 1000), now())
     ON CONFLICT (order_id) DO UPDATE SET state = $3, awaiting_command = $4, earlier_commands = $5,
       deadline_at = now() + make_interval(secs => $6::float8 / 1000), updated_at = now()`,
    [orderId, mode, state, awaiting.command, awaiting.earlier, deadlineMs],
  );
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

/** A choreographed order's follower state, locked until the transaction ends. */
export async function lockFollowing(db: Queryable, orderId: string): Promise<Choreography | undefined> {
  const { rows } = await db.query<{ state: Choreography }>(
    `SELECT state FROM sagas WHERE order_id = $1 AND mode = 'choreography' FOR UPDATE`,
    [orderId],
  );
  return rows[0]?.state;
}

/** Saves a follower state; `deadline` restarts its clock (ms from now), clears it (null) or keeps it. */
export async function saveFollowing(
  db: Queryable,
  orderId: string,
  state: Choreography,
  deadline: number | null | 'keep',
): Promise<void> {
  await db.query(
    `INSERT INTO sagas (order_id, mode, state, deadline_at, updated_at)
     VALUES ($1, 'choreography', $2, now() + make_interval(secs => $3::float8 / 1000), now())
     ON CONFLICT (order_id) DO UPDATE SET state = $2, updated_at = now(),
       deadline_at = CASE WHEN $4 THEN sagas.deadline_at
                          ELSE now() + make_interval(secs => $3::float8 / 1000) END`,
    [orderId, state, deadline === 'keep' ? null : deadline, deadline === 'keep'],
  );
}
