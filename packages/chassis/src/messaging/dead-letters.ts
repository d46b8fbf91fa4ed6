import type { Pool } from '../db.ts';

export interface DeadLetter {
  id: number;
  group: string;
  eventId: string;
  type: string;
  message: unknown;
  reason: string;
  attempts: number;
  status: 'dead' | 'replayed' | 'discarded';
  createdAt: string;
  updatedAt: string;
}

interface DeadLetterRow {
  id: number;
  group_name: string;
  event_id: string;
  type: string;
  message: unknown;
  reason: string;
  attempts: number;
  status: DeadLetter['status'];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, group_name, event_id, type, message, reason, attempts, status, created_at, updated_at';

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    group: row.group_name,
    eventId: row.event_id,
    type: row.type,
    message: row.message,
    reason: row.reason,
    attempts: row.attempts,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Messages a consumer group gave up on, kept in the consumer's own database. */
export function deadLetterStore(pool: Pool) {
  return {
    /** Records (or, if it died before, re-records) a message as dead. */
    async record(entry: {
      group: string;
      eventId: string;
      type: string;
      message: unknown;
      reason: string;
      attempts: number;
    }) {
      await pool.query(
        `INSERT INTO dead_letters (group_name, event_id, type, message, reason, attempts)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (group_name, event_id) DO UPDATE
         SET status = 'dead', reason = EXCLUDED.reason, attempts = dead_letters.attempts + EXCLUDED.attempts,
             updated_at = now()`,
        [
          entry.group,
          entry.eventId,
          entry.type,
          JSON.stringify(entry.message),
          entry.reason.slice(0, 2_000),
          entry.attempts,
        ],
      );
    },

    async list(filter: {
      status?: string | undefined;
      group?: string | undefined;
      page: number;
      limit: number;
    }) {
      const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR group_name = $2)`;
      const params = [filter.status ?? null, filter.group ?? null];
      const [rows, count] = await Promise.all([
        pool.query<DeadLetterRow>(
          `SELECT ${COLUMNS} FROM dead_letters WHERE ${where} ORDER BY id LIMIT $3 OFFSET $4`,
          [...params, filter.limit, (filter.page - 1) * filter.limit],
        ),
        pool.query<{ total: number }>(`SELECT count(*) AS total FROM dead_letters WHERE ${where}`, params),
      ]);
      return { items: rows.rows.map(toDeadLetter), total: count.rows[0]?.total ?? 0 };
    },

    async get(id: number): Promise<DeadLetter | undefined> {
      const { rows } = await pool.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toDeadLetter(rows[0]) : undefined;
    },

    /** Moves a dead letter out of `dead`; false if it was not dead any more. */
    async settle(id: number, status: 'replayed' | 'discarded'): Promise<boolean> {
      const result = await pool.query(
        `UPDATE dead_letters SET status = $2, updated_at = now() WHERE id = $1 AND status = 'dead'`,
        [id, status],
      );
      return result.rowCount === 1;
    },

    async failedReplay(id: number, reason: string): Promise<void> {
      await pool.query(
        `UPDATE dead_letters SET attempts = attempts + 1, reason = $2, updated_at = now() WHERE id = $1`,
        [id, reason.slice(0, 2_000)],
      );
    },
  };
}

export type DeadLetterStore = ReturnType<typeof deadLetterStore>;
