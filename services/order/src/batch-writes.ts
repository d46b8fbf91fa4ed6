// A batch's moves written together (commit.ts, `BatchOfMoves`): the orders of a batch of
// answers are held in its transaction, so their rows exist and nothing else moves them
// until it commits; their moves go in one statement instead of one each.
import { prepared, type Queryable } from '@platform/chassis';
import type { OrderDecision, SagaRecord } from './domain/decision.ts';
import type { Order, OrderEvent } from './domain/order.ts';
import { ConcurrentAppend, evolveAll, RECORDED_AT, STAMP, toApiOrder, UNIQUE_VIOLATION } from './store.ts';

// A batch's moves in one round trip (`writeOrders`): every order's events appended, each
// order's projection and saga row written once (its last move's), one time for all. Only
// for orders held in the batch's transaction: their rows exist, and nothing else moves them.
const WRITE_ORDERS = prepared(`
  WITH ${STAMP},
  appended AS (
    INSERT INTO order_events (order_id, seq, type, data, recorded_at)
    SELECT e.order_id, e.seq, e.type, e.data::jsonb, stamp.at
    FROM stamp, unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) AS e(order_id, seq, type, data)),
  projected AS (
    UPDATE orders o SET status = p.status,
      document = replace(p.document, $9::text, to_json(stamp.iso)::text)::jsonb,
      updated_at = stamp.at, version = p.version
    FROM stamp, unnest($5::uuid[], $6::text[], $7::text[], $8::int[]) AS p(id, status, document, version)
    WHERE o.id = p.id),
  saved AS (
    UPDATE sagas s SET state = v.state::jsonb, awaiting_command = v.awaiting,
      earlier_commands = ARRAY(SELECT jsonb_array_elements_text(v.earlier::jsonb)::uuid),
      deadline_at = CASE WHEN v.keep THEN s.deadline_at
        ELSE now() + make_interval(secs => v.due_ms / 1000) END,
      updated_at = now()
    FROM unnest($10::uuid[], $11::text[], $12::uuid[], $13::text[], $14::float8[], $15::boolean[])
      AS v(order_id, state, awaiting, earlier, due_ms, keep)
    WHERE s.order_id = v.order_id)
  SELECT stamp.iso AS at FROM stamp`);

/** One move of an order held in a batch, to be written with the others (`writeOrders`). */
export interface OrderWrite {
  id: string;
  /** The events, numbered after the order's version before the move. */
  events: Array<{ seq: number; event: OrderEvent }>;
  /** The order after the move (its times `RECORDED_AT` until written); undefined: untouched. */
  after: Order | undefined;
  saga: SagaRecord | undefined;
}

/**
 * The write of one move of order `id` (held: `order` is it before), for `writeOrders`,
 * and the order after it, its new times standing in until the batch is written.
 */
export function orderWrite(
  id: string,
  order: Order,
  decision: Pick<OrderDecision, 'events' | 'saga'>,
): OrderWrite {
  const { events } = decision;
  const after = events.length ? evolveAll(order, events, RECORDED_AT, id) : undefined;
  if (events.length && !after) throw new Error(`order ${id} has no OrderPlaced event`);
  return {
    id,
    events: events.map((event, index) => ({ seq: order.version + 1 + index, event })),
    after,
    saga: decision.saga,
  };
}

/**
 * Writes the moves of a batch's held orders in one statement: all their events, and
 * each order's projection and saga row as its last move left them.
 */
export async function writeOrders(db: Queryable, writes: OrderWrite[]): Promise<void> {
  const last = <T>(pick: (write: OrderWrite) => T | undefined) => {
    const byOrder = new Map<string, T>();
    for (const write of writes) {
      const value = pick(write);
      if (value !== undefined) byOrder.set(write.id, value);
    }
    return [...byOrder.entries()];
  };
  const events = writes.flatMap((write) => write.events.map((each) => ({ id: write.id, ...each })));
  const projections = last((write) => write.after);
  const sagas = last((write) => write.saga);
  if (!events.length && !sagas.length) return;
  try {
    await db.query(
      WRITE_ORDERS([
        events.map((each) => each.id),
        events.map((each) => each.seq),
        events.map((each) => each.event.type),
        events.map((each) => JSON.stringify(each.event.data)),
        projections.map(([id]) => id),
        projections.map(([, order]) => order.status),
        projections.map(([, order]) => JSON.stringify(toApiOrder(order))),
        projections.map(([, order]) => order.version),
        JSON.stringify(RECORDED_AT),
        ...sagaColumns(sagas),
      ]),
    );
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
      throw new ConcurrentAppend(`an order of the batch moved past the version it was held at`);
    }
    throw error;
  }
}

/** $10-$15 of `writeOrders`: each saga row's columns, in parallel arrays. */
function sagaColumns(sagas: Array<[string, SagaRecord]>): unknown[] {
  const rows = sagas.map(([id, saga]) => {
    const awaiting = saga.mode === 'orchestration' ? saga.awaiting : { command: null, earlier: [] };
    return { id, saga, awaiting, due: saga.dueInMs === 'keep' ? null : saga.dueInMs };
  });
  return [
    rows.map((row) => row.id),
    rows.map((row) => JSON.stringify(row.saga.state)),
    rows.map((row) => row.awaiting.command),
    rows.map((row) => JSON.stringify(row.awaiting.earlier)),
    rows.map((row) => row.due),
    rows.map((row) => row.saga.dueInMs === 'keep'),
  ];
}
