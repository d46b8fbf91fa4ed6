import { prepared, type Queryable } from '@platform/chassis';
import type { notifications } from '@platform/contracts';
import type { Channel, Kind } from './domain/channels.ts';

// Every message the service was asked to send, and its fate.

export interface NewDelivery {
  eventId: string;
  eventType: string;
  kind: Kind;
  /** The order the message is about, if any. */
  orderId: string | null;
  channel: Channel;
  userId: string | null;
  recipient: string | null;
  subject: string;
  text: string;
  html: string | null;
  /** Recorded as failed at once (the recipient never became known), with this reason. */
  failed?: string;
}

/**
 * Records messages, in one statement; a second one for the same event and channel is
 * ignored. Resolves how many were new.
 */
export async function recordDeliveries(db: Queryable, deliveries: readonly NewDelivery[]): Promise<number> {
  if (deliveries.length === 0) return 0;
  const rows = deliveries.map((delivery) => ({
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    kind: delivery.kind,
    channel: delivery.channel,
    user_id: delivery.userId,
    recipient: delivery.recipient,
    subject: delivery.subject,
    body_text: delivery.text,
    body_html: delivery.html,
    status: delivery.failed ? 'failed' : 'pending',
    last_error: delivery.failed ?? null,
    order_id: delivery.orderId,
  }));
  const { rowCount } = await db.query(
    `INSERT INTO deliveries (event_id, event_type, kind, channel, user_id, recipient, subject, body_text,
                             body_html, status, last_error, order_id)
     SELECT d.event_id, d.event_type, d.kind, d.channel, d.user_id, d.recipient, d.subject, d.body_text,
            d.body_html, d.status, d.last_error, d.order_id
     FROM jsonb_to_recordset($1::jsonb) AS d(event_id text, event_type text, kind text, channel text,
       user_id text, recipient text, subject text, body_text text, body_html text, status text,
       last_error text, order_id uuid)
     ON CONFLICT (event_id, channel) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}

export interface ClaimedDelivery {
  id: string;
  kind: Kind;
  channel: Channel;
  userId: string;
  recipient: string;
  subject: string;
  text: string;
  html: string | null;
  /** This attempt's number, 1-based. */
  attempt: number;
  /** The event the message is about. */
  eventId: string;
}

/**
 * Claims up to `limit` messages that are due (pending and due, or claimed by a sender
 * whose lease ran out), for `leaseMs`. SKIP LOCKED gives each to one instance.
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<{
    id: string;
    kind: Kind;
    channel: Channel;
    user_id: string;
    recipient: string;
    subject: string;
    body_text: string;
    body_html: string | null;
    attempts: number;
    event_id: string;
  }>(
    `WITH due AS (
       SELECT id FROM deliveries
       WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE deliveries d
     SET status = 'sending', attempts = d.attempts + 1,
         next_attempt_at = now() + $2 * interval '1 millisecond'
     FROM due WHERE d.id = due.id
     RETURNING d.id, d.kind, d.channel, d.user_id, d.recipient, d.subject, d.body_text, d.body_html, d.attempts,
       d.event_id`,
    [limit, leaseMs],
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    userId: row.user_id,
    recipient: row.recipient,
    subject: row.subject,
    text: row.body_text,
    html: row.body_html,
    attempt: row.attempts,
    eventId: row.event_id,
  }));
}

// Each outcome applies only to the claim it answers (same attempt, still sending):
// a sender that outlived its lease cannot overwrite a newer attempt's outcome.
const OWN_CLAIM = `id = $1 AND attempts = $2 AND status = 'sending'`;

const MARK_SENT = prepared(
  `UPDATE deliveries d SET status = 'sent', sent_at = now(), last_error = NULL
   FROM unnest($1::uuid[], $2::int[]) AS claim(id, attempts)
   WHERE d.id = claim.id AND d.attempts = claim.attempts AND d.status = 'sending'
   RETURNING d.id, d.sent_at`,
);

/**
 * Records `claims` sent, in one statement: resolves when each was sent, for the claims
 * that were still their sender's (a claim whose lease ran out and was taken again is
 * left to its new sender).
 */
export async function markSent(db: Queryable, claims: ClaimedDelivery[]): Promise<Map<string, Date>> {
  const { rows } = await db.query<{ id: string; sent_at: Date }>(
    MARK_SENT([claims.map((claim) => claim.id), claims.map((claim) => claim.attempt)]),
  );
  return new Map(rows.map((row) => [row.id, row.sent_at]));
}

export async function markRetry(db: Queryable, claim: ClaimedDelivery, delayMs: number, reason: string) {
  await db.query(
    `UPDATE deliveries SET status = 'pending', last_error = $3,
       next_attempt_at = now() + $4 * interval '1 millisecond' WHERE ${OWN_CLAIM}`,
    [claim.id, claim.attempt, reason, delayMs],
  );
}

export async function markFailed(db: Queryable, claim: ClaimedDelivery, reason: string): Promise<void> {
  await db.query(`UPDATE deliveries SET status = 'failed', last_error = $3 WHERE ${OWN_CLAIM}`, [
    claim.id,
    claim.attempt,
    reason,
  ]);
}

interface ListRow {
  id: string;
  kind: Kind;
  channel: Channel;
  subject: string;
  status: notifications.DeliveryStatus;
  sent_at: Date | null;
  user_id: string | null;
  recipient: string | null;
  event_id: string;
  event_type: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  total: number;
}

export interface DeliveryFilter {
  userId?: string | undefined;
  status?: notifications.DeliveryStatus | undefined;
  page: number;
  limit: number;
}

/** A page of deliveries, newest first, with the total count of the filter. */
export async function listDeliveries(
  db: Queryable,
  filter: DeliveryFilter,
): Promise<{ rows: notifications.DeliveryRecord[]; total: number }> {
  const { rows } = await db.query<ListRow>(
    `SELECT id, kind, channel, subject, status, sent_at, user_id, recipient, event_id, event_type, attempts,
            last_error, created_at, count(*) OVER ()::int AS total
     FROM deliveries
     WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)
     ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
    [filter.userId ?? null, filter.status ?? null, filter.limit, (filter.page - 1) * filter.limit],
  );
  const total = rows[0]?.total ?? (filter.page > 1 ? await countDeliveries(db, filter) : 0);
  return {
    total,
    rows: rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      channel: row.channel,
      subject: row.subject,
      status: row.status,
      sentAt: row.sent_at?.toISOString() ?? null,
      userId: row.user_id,
      recipient: row.recipient,
      eventId: row.event_id,
      eventType: row.event_type,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
    })),
  };
}

async function countDeliveries(db: Queryable, filter: DeliveryFilter): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM deliveries
     WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)`,
    [filter.userId ?? null, filter.status ?? null],
  );
  return rows[0]?.n ?? 0;
}
