// Holding an order before moving it: the saga's (or the follower's) row and the
// order's projection row locked, with the order's events, so moves of one order take
// their turns; for one order, or for every order a batch of answers names at once.
import { isUuid, prepared, type Queryable } from '@platform/chassis';
import type { Choreography } from './domain/choreography.ts';
import { fold, type Order, type RecordedEvent, type SagaMode } from './domain/order.ts';
import type { Awaiting, SagaState } from './domain/saga.ts';
import { EVENTS_OF, type EventsRow, recordedEvents } from './store.ts';

/** An order with its saga's state, the saga's row locked until the transaction ends. */
export interface Held<State> {
  order: Order;
  state: State;
  /** The commands whose answer the saga awaits (orchestration). */
  awaiting: Awaiting;
}

interface HeldRow<State> extends EventsRow {
  state: State;
  awaiting_command: string | null;
  earlier: string[];
}

// Every move of an order holds its projection's row (`orders`), so moves of one order
// (the saga's, tracking's, a customer's cancel) take their turns. The saga's moves hold
// its row too (`sagas`), always before the order's: no two of them wait on each other crosswise.
const HOLD = prepared(
  `SELECT s.state, s.awaiting_command, s.earlier_commands AS earlier, o.version, ${EVENTS_OF('s.order_id')} AS events
   FROM sagas s JOIN orders o ON o.id = s.order_id
   WHERE s.order_id = $1 AND ($2::text IS NULL OR s.mode = $2) FOR UPDATE OF s, o`,
);

const EVENTS_NOW = prepared(`SELECT ${EVENTS_OF('$1::uuid')} AS events`);

// A batch's holds in one statement: the same rows, locked in order id order (two
// batches holding some of the same orders queue, never deadlock).
const HOLD_MANY = prepared(
  `SELECT s.order_id, s.state, s.awaiting_command, s.earlier_commands AS earlier, o.version,
     ${EVENTS_OF('s.order_id')} AS events
   FROM sagas s JOIN orders o ON o.id = s.order_id
   WHERE s.order_id = ANY($1::uuid[]) AND ($2::text IS NULL OR s.mode = $2)
   ORDER BY s.order_id FOR UPDATE OF s, o`,
);

/**
 * The order's events as its locked row stands. A lock that waited for another move to
 * commit returns the rows as they are after it, but the events read in the same
 * statement are from its snapshot, taken before: when they fall short of the row's
 * version they are read again, by a statement of their own (a new snapshot), which sees
 * the move. Without the wait, one round trip.
 */
async function eventsAsHeld(db: Queryable, orderId: string, row: EventsRow): Promise<RecordedEvent[]> {
  if ((row.events?.length ?? 0) === row.version) return recordedEvents(row.events);
  const { rows } = await db.query<Pick<EventsRow, 'events'>>(EVENTS_NOW([orderId]));
  return recordedEvents(rows[0]?.events ?? null);
}

/** The order and saga a held row stands for; undefined for an order without its OrderPlaced. */
async function heldOf<State>(db: Queryable, orderId: string, row: HeldRow<State>) {
  const order = fold(orderId, await eventsAsHeld(db, orderId, row));
  if (!order) return undefined;
  return { order, state: row.state, awaiting: { command: row.awaiting_command, earlier: row.earlier } };
}

/** The saga's row of `orderId` (of `mode`, if given) and the order's row locked, with the order's events. */
async function hold<State>(
  db: Queryable,
  orderId: string,
  mode: SagaMode | null,
): Promise<Held<State> | undefined> {
  const { rows } = await db.query<HeldRow<State>>(HOLD([orderId, mode]));
  return rows[0] && heldOf(db, orderId, rows[0]);
}

/** `hold` of several orders in one statement, by order id (those without a saga of `mode` left out). */
async function holdMany<State>(
  db: Queryable,
  orderIds: string[],
  mode: SagaMode | null,
): Promise<Map<string, Held<State>>> {
  const { rows } = await db.query<HeldRow<State> & { order_id: string }>(HOLD_MANY([orderIds, mode]));
  const held = new Map<string, Held<State>>();
  for (const row of rows) {
    const one = await heldOf(db, row.order_id, row);
    if (one) held.set(row.order_id, one);
  }
  return held;
}

/**
 * Holds for a batch of answers (the bus's `lockBatch`): every order the batch names
 * held up front in one statement, then each answer takes its order's hold, once. A
 * second answer about the same order, and an answer outside a batch, hold it again
 * (seeing the moves made since).
 */
export function batchHolds<State>(
  many: (db: Queryable, orderIds: string[]) => Promise<Map<string, Held<State>>>,
  one: (db: Queryable, orderId: string) => Promise<Held<State> | undefined>,
) {
  const taken = new WeakMap<Queryable, Map<string, Held<State>>>();
  return {
    async lockBatch(tx: Queryable, events: Array<{ subject?: string | undefined }>): Promise<void> {
      const orderIds = new Set(
        events.flatMap(({ subject }) => (subject && isUuid(subject) ? [subject] : [])),
      );
      taken.set(tx, await many(tx, [...orderIds]));
    },
    async hold(tx: Queryable, orderId: string): Promise<Held<State> | undefined> {
      const held = taken.get(tx);
      const found = held?.get(orderId);
      if (!found) return one(tx, orderId);
      held?.delete(orderId);
      return found;
    },
  };
}

/** The orchestrated sagas of `orderIds` with their orders, locked until the transaction ends. */
export const lockSagas = (db: Queryable, orderIds: string[]) => holdMany<SagaState>(db, orderIds, null);

/** Choreographed orders with their follower states, locked until the transaction ends. */
export const lockFollowings = (db: Queryable, orderIds: string[]) =>
  holdMany<Choreography>(db, orderIds, 'choreography');

/** The orchestrated saga of `orderId` with its order, locked until the transaction ends. */
export const lockSaga = (db: Queryable, orderId: string) => hold<SagaState>(db, orderId, null);

/** A choreographed order with its follower state, locked until the transaction ends. */
export const lockFollowing = (db: Queryable, orderId: string) =>
  hold<Choreography>(db, orderId, 'choreography');

/** The order, its projection's row locked until the transaction ends. */
export async function lockOrder(db: Queryable, orderId: string): Promise<Order | undefined> {
  const { rows } = await db.query<EventsRow>(
    `SELECT o.version, ${EVENTS_OF('o.id')} AS events FROM orders o WHERE o.id = $1 FOR UPDATE OF o`,
    [orderId],
  );
  return rows[0] && fold(orderId, await eventsAsHeld(db, orderId, rows[0]));
}

// A batch of tracking's news holds only the orders' rows, in order id order, like the
// saga's batches: no saga row is taken, so none is waited on crosswise.
const LOCK_ORDERS = prepared(
  `SELECT o.id AS order_id, o.version, ${EVENTS_OF('o.id')} AS events FROM orders o
   WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR UPDATE OF o`,
);

/** What a saga awaits when it awaits nothing (and what a hold without a saga carries). */
export const NOTHING_AWAITED: Awaiting = { command: null, earlier: [] };

/** Orders held with no saga state (tracking's moves): `lockOrder` as a `Held`. */
export async function holdOrder(db: Queryable, orderId: string): Promise<Held<undefined> | undefined> {
  const order = await lockOrder(db, orderId);
  return order && { order, state: undefined, awaiting: NOTHING_AWAITED };
}

/** `holdOrder` of several orders in one statement, by order id. */
export async function holdOrders(db: Queryable, orderIds: string[]): Promise<Map<string, Held<undefined>>> {
  const { rows } = await db.query<EventsRow & { order_id: string }>(LOCK_ORDERS([orderIds]));
  const held = new Map<string, Held<undefined>>();
  for (const row of rows) {
    const order = fold(row.order_id, await eventsAsHeld(db, row.order_id, row));
    if (order) held.set(row.order_id, { order, state: undefined, awaiting: NOTHING_AWAITED });
  }
  return held;
}
