import { prepared, type Queryable, type Static } from '@platform/chassis';
import type { commerce, shipping } from '@platform/contracts';
import type { ShipmentStatus } from './domain/shipment.ts';

export type Address = Static<typeof commerce.ShippingAddress>;
export interface ParcelLine {
  productId: string;
  quantity: number;
  weightGrams: number;
}

export interface ShipmentRow {
  id: string;
  order_id: string;
  user_id: string;
  status: ShipmentStatus;
  tracking_number: string;
  correlation_id: string | null;
  created_at: Date;
}

const COLUMNS = 'id, order_id, user_id, status, tracking_number, correlation_id, created_at';

// The statements each order runs: prepared, each is planned once per connection.
const LOCK_ORDER = prepared(`SELECT pg_advisory_xact_lock(hashtext('shipping-order'), hashtext($1))`);
const SHIPMENT_AND_TOMBSTONE = prepared(
  `SELECT s.*, EXISTS (SELECT 1 FROM cancelled_orders WHERE order_id = $1) AS tombstoned
   FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT ${COLUMNS} FROM shipments WHERE order_id = $1) s ON true`,
);
const INSERT_SHIPMENT = prepared(
  `WITH made AS (
     INSERT INTO shipments (order_id, user_id, status, tracking_number, address, lines, weight_grams,
                            next_step_at, correlation_id)
     VALUES ($1, $2, 'SCHEDULED', $3, $4, $5, $6, now() + $7 * interval '1 millisecond', $8)
     RETURNING ${COLUMNS}),
   history AS (INSERT INTO shipment_history (shipment_id, status) SELECT id, 'SCHEDULED' FROM made)
   SELECT ${COLUMNS} FROM made`,
);
const MOVE_SHIPMENTS = prepared(
  `WITH moves AS (
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) WITH ORDINALITY
       AS m(id, status, step_ms, cancel_reason, position)),
   moved AS (
     UPDATE shipments s SET status = m.status, updated_at = now(), cancel_reason = coalesce(m.cancel_reason, s.cancel_reason),
       next_step_at = CASE WHEN m.step_ms IS NULL THEN NULL ELSE now() + m.step_ms * interval '1 millisecond' END
     FROM moves m WHERE s.id = m.id RETURNING s.id, m.status, m.position)
   INSERT INTO shipment_history (shipment_id, status)
   SELECT id, status FROM moved ORDER BY position RETURNING shipment_id, at`,
);

/**
 * Serializes everything done to one order's shipment (schedule, cancel) until the
 * transaction ends, so a cancel racing a schedule sees it, or leaves its tombstone first.
 */
export async function lockOrder(db: Queryable, orderId: string): Promise<void> {
  await db.query(LOCK_ORDER([orderId]));
}

export async function findShipmentOfOrder(
  db: Queryable,
  orderId: string,
  lock = false,
): Promise<ShipmentRow | undefined> {
  const { rows } = await db.query<ShipmentRow>(
    `SELECT ${COLUMNS} FROM shipments WHERE order_id = $1${lock ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0];
}

/** The order's shipment, if any, and whether a cancel left its tombstone first: one round trip. */
export async function shipmentAndTombstone(
  db: Queryable,
  orderId: string,
): Promise<{ existing: ShipmentRow | undefined; tombstoned: boolean }> {
  const { rows } = await db.query<ShipmentRow & { tombstoned: boolean }>(SHIPMENT_AND_TOMBSTONE([orderId]));
  const row = rows[0];
  if (!row) return { existing: undefined, tombstoned: false };
  const { tombstoned, ...shipment } = row;
  return { existing: shipment.id === null ? undefined : shipment, tombstoned };
}

export async function addTombstone(db: Queryable, orderId: string, reason: string): Promise<void> {
  await db.query(
    'INSERT INTO cancelled_orders (order_id, reason) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING',
    [orderId, reason],
  );
}

export interface NewShipment {
  orderId: string;
  userId: string;
  trackingNumber: string;
  address: Address;
  lines: ParcelLine[];
  weightGrams: number;
  stepMs: number;
  correlationId: string | undefined;
}

/** A SCHEDULED shipment, its first history entry, and its dispatch due one step from now: one statement. */
export async function insertShipment(db: Queryable, shipment: NewShipment): Promise<ShipmentRow> {
  const { rows } = await db.query<ShipmentRow>(
    INSERT_SHIPMENT([
      shipment.orderId,
      shipment.userId,
      shipment.trackingNumber,
      JSON.stringify(shipment.address),
      JSON.stringify(shipment.lines),
      shipment.weightGrams,
      shipment.stepMs,
      shipment.correlationId ?? null,
    ]),
  );
  const row = rows[0];
  if (!row) throw new Error(`shipment for order ${shipment.orderId} was not inserted`);
  return row;
}

/** A shipment's move: its new status; `stepMs` schedules its next carrier step, null ends the carrier's work. */
export interface ShipmentMove {
  id: string;
  status: ShipmentStatus;
  stepMs: number | null;
  cancelReason?: string;
}

/**
 * Moves shipments, each with its history entry, in one statement however many (the
 * entry's time is the move's); returns when each moved, by shipment id.
 */
export async function moveShipments(
  db: Queryable,
  moves: readonly ShipmentMove[],
): Promise<Map<string, Date>> {
  if (moves.length === 0) return new Map();
  const { rows } = await db.query<{ shipment_id: string; at: Date }>(
    MOVE_SHIPMENTS([
      moves.map((move) => move.id),
      moves.map((move) => move.status),
      moves.map((move) => move.stepMs),
      moves.map((move) => move.cancelReason ?? null),
    ]),
  );
  return new Map(rows.map((row) => [row.shipment_id, row.at]));
}

/**
 * Up to `limit` shipments whose carrier step is due, locked; rows another instance
 * (or a cancel) holds are skipped, so instances never advance the same shipment.
 */
export async function claimDueShipments(db: Queryable, limit: number): Promise<ShipmentRow[]> {
  const { rows } = await db.query<ShipmentRow>(
    `SELECT ${COLUMNS} FROM shipments WHERE next_step_at <= now()
     ORDER BY next_step_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

interface ViewRow {
  id: string;
  order_id: string;
  user_id: string;
  status: ShipmentStatus;
  tracking_number: string;
  history: Array<{ status: ShipmentStatus; at: string }>;
}

export interface OwnedShipment {
  userId: string;
  shipment: shipping.Shipment;
}

function toOwnedShipment(row: ViewRow): OwnedShipment {
  return {
    userId: row.user_id,
    shipment: {
      id: row.id,
      orderId: row.order_id,
      status: row.status,
      trackingNumber: row.tracking_number,
      history: row.history.map((entry) => ({ status: entry.status, at: new Date(entry.at).toISOString() })),
    },
  };
}

const VIEW = `SELECT s.id, s.order_id, s.user_id, s.status, s.tracking_number,
    coalesce((SELECT json_agg(json_build_object('status', h.status, 'at', h.at) ORDER BY h.id)
              FROM shipment_history h WHERE h.shipment_id = s.id), '[]') AS history
  FROM shipments s`;

/** Reads for the HTTP API: shipments with their history and owner. */
export function createShipmentViews(db: Queryable) {
  return {
    async byId(id: string): Promise<OwnedShipment | undefined> {
      const { rows } = await db.query<ViewRow>(`${VIEW} WHERE s.id = $1`, [id]);
      return rows[0] ? toOwnedShipment(rows[0]) : undefined;
    },
    async byOrder(orderId: string): Promise<OwnedShipment[]> {
      const { rows } = await db.query<ViewRow>(`${VIEW} WHERE s.order_id = $1`, [orderId]);
      return rows.map(toOwnedShipment);
    },
  };
}

export type ShipmentViews = ReturnType<typeof createShipmentViews>;
