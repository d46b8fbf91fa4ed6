// The sessions table (migrations/001_sessions.sql): every statement the storefront runs on it.
import type { Queryable } from '@platform/chassis';

export interface SessionRow {
  key: string;
  guestId: string | null;
  userId: string | null;
  userName: string | null;
  sealedTokens: string | null;
  accessExpiresAt: Date | null;
  expiresAt: Date;
}

interface Row {
  key: string;
  guest_id: string | null;
  user_id: string | null;
  user_name: string | null;
  sealed_tokens: string | null;
  access_expires_at: Date | null;
  expires_at: Date;
}

const COLUMNS = 'key, guest_id, user_id, user_name, sealed_tokens, access_expires_at, expires_at';

const toSession = (row: Row): SessionRow => ({
  key: row.key,
  guestId: row.guest_id,
  userId: row.user_id,
  userName: row.user_name,
  sealedTokens: row.sealed_tokens,
  accessExpiresAt: row.access_expires_at,
  expiresAt: row.expires_at,
});

export interface SignedInFields {
  userId: string;
  userName: string;
  sealedTokens: string;
  accessExpiresAt: Date;
  /** A guest cart still to merge into the account's (the merge did not happen yet). */
  guestId: string | null;
}

export function sessionStore(db: Queryable) {
  return {
    /** The live session under `key`; with `lock`, its row stays locked to the end of the transaction. */
    async find(key: string, options: { lock?: boolean } = {}): Promise<SessionRow | undefined> {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM sessions WHERE key = $1 AND expires_at > now()${options.lock ? ' FOR UPDATE' : ''}`,
        [key],
      );
      return rows[0] ? toSession(rows[0]) : undefined;
    },

    /** A guest's session with a cart: the one given, or the one it already had. Returns the guest id. */
    async keepGuestCart(key: string, guestId: string, expiresAt: Date): Promise<string> {
      const { rows } = await db.query<{ guest_id: string }>(
        `INSERT INTO sessions (key, guest_id, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET guest_id = coalesce(sessions.guest_id, excluded.guest_id)
         RETURNING guest_id`,
        [key, guestId, expiresAt],
      );
      return rows[0]?.guest_id ?? guestId;
    },

    async signIn(key: string, fields: SignedInFields, expiresAt: Date): Promise<void> {
      await db.query(
        `INSERT INTO sessions (key, guest_id, user_id, user_name, sealed_tokens, access_expires_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          key,
          fields.guestId,
          fields.userId,
          fields.userName,
          fields.sealedTokens,
          fields.accessExpiresAt,
          expiresAt,
        ],
      );
    },

    /** The renewed token pair (the old refresh token is spent: identity rotated it). */
    async renewTokens(key: string, sealedTokens: string, accessExpiresAt: Date): Promise<void> {
      await db.query('UPDATE sessions SET sealed_tokens = $2, access_expires_at = $3 WHERE key = $1', [
        key,
        sealedTokens,
        accessExpiresAt,
      ]);
    },

    async rename(key: string, userName: string): Promise<void> {
      await db.query('UPDATE sessions SET user_name = $2 WHERE key = $1', [key, userName]);
    },

    /** The guest cart has joined the account's. */
    async guestCartMerged(key: string): Promise<void> {
      await db.query('UPDATE sessions SET guest_id = NULL WHERE key = $1 AND user_id IS NOT NULL', [key]);
    },

    /** Visited: the session lasts its whole lifetime again from now. */
    async extend(key: string, expiresAt: Date): Promise<void> {
      await db.query('UPDATE sessions SET expires_at = $2 WHERE key = $1', [key, expiresAt]);
    },

    async remove(key: string): Promise<void> {
      await db.query('DELETE FROM sessions WHERE key = $1', [key]);
    },

    async removeExpired(): Promise<number> {
      const result = await db.query('DELETE FROM sessions WHERE expires_at <= now()');
      return result.rowCount ?? 0;
    },
  };
}
