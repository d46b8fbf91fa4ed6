import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '@platform/chassis';
import { FAILURES_CONSULTED, type LoginHistory, PAIR_MEMORY_MS, WINDOW_MS } from './domain/lockout.ts';

export type Role = 'customer' | 'admin';

export interface Preferences {
  notifications?: { email?: boolean; sms?: boolean; push?: boolean };
}

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  preferences: Preferences;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  roles: Role[];
  preferences: Preferences;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const USER_COLUMNS = 'id, email, name, password_hash, roles, preferences, created_at, updated_at, version';

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    preferences: row.preferences,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

const hashToken = (token: string) => createHash('sha256').update(token).digest();

/** Advisory lock class of sign-in attempts; the key within it is a hash of the account or address. */
const SIGN_IN_LOCKS = 0x5167_6e49;
const lockKey = (name: string) => createHash('sha256').update(name).digest().readInt32BE(0);

export type RefreshOutcome =
  | { status: 'rotated'; userId: string; refreshToken: string }
  | { status: 'reused' | 'unknown' | 'expired' };

export function createIdentityStore(db: Queryable) {
  return {
    /** Inserts a user; undefined if the (normalised) email is taken. */
    async insertUser(user: { email: string; name: string; passwordHash: string; roles: Role[] }) {
      const { rows } = await db.query<UserRow>(
        `INSERT INTO users (email, name, password_hash, roles) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
        [user.email, user.name, user.passwordHash, user.roles],
      );
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    async findByEmail(email: string): Promise<{ user: User; passwordHash: string } | undefined> {
      const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
      return rows[0] ? { user: toUser(rows[0]), passwordHash: rows[0].password_hash } : undefined;
    },

    async findById(id: string): Promise<User | undefined> {
      const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    async listUsers(page: number, limit: number): Promise<{ items: User[]; total: number }> {
      const [list, count] = await Promise.all([
        db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2`, [
          limit,
          (page - 1) * limit,
        ]),
        db.query<{ total: number }>('SELECT count(*) AS total FROM users'),
      ]);
      return { items: list.rows.map(toUser), total: count.rows[0]?.total ?? 0 };
    },

    /** Name and preferences only: roles, email and ids are never written through here. */
    async updateProfile(
      id: string,
      changes: { name?: string | undefined; preferences?: Preferences | undefined },
    ) {
      const { rows } = await db.query<UserRow>(
        `UPDATE users SET name = coalesce($2, name), preferences = coalesce($3, preferences),
                updated_at = now(), version = version + 1
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, changes.name ?? null, changes.preferences ? JSON.stringify(changes.preferences) : null],
      );
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    /** Ensures an account with these roles exists (the first admin); returns it. */
    async ensureUser(user: {
      email: string;
      name: string;
      passwordHash: string;
      roles: Role[];
    }): Promise<{ user: User; created: boolean }> {
      // xmax is 0 on a row this statement inserted, and set on one it updated.
      const { rows } = await db.query<UserRow & { created: boolean }>(
        `INSERT INTO users (email, name, password_hash, roles) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, roles = EXCLUDED.roles
         RETURNING ${USER_COLUMNS}, (xmax = 0) AS created`,
        [user.email, user.name, user.passwordHash, user.roles],
      );
      const row = rows[0];
      if (!row) throw new Error('could not ensure user');
      return { user: toUser(row), created: row.created };
    },

    /** A new refresh token, the first of a new family unless `familyId` continues one. */
    async issueRefreshToken(
      userId: string,
      ttlSeconds: number,
      familyId: string = randomUUID(),
    ): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await db.query(
        `INSERT INTO refresh_tokens (family_id, user_id, token_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
        [familyId, userId, hashToken(token), ttlSeconds],
      );
      return token;
    },

    /**
     * Uses a refresh token up and issues its successor. A token presented a second
     * time means someone else has it: the whole family is revoked ('reused'). Must
     * run in a transaction: the row is locked while it is used.
     */
    async rotateRefreshToken(token: string, ttlSeconds: number): Promise<RefreshOutcome> {
      const { rows } = await db.query<{
        id: string;
        family_id: string;
        user_id: string;
        used_at: Date | null;
        revoked_at: Date | null;
        expired: boolean;
      }>(
        `SELECT id, family_id, user_id, used_at, revoked_at, expires_at <= now() AS expired
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
        [hashToken(token)],
      );
      const row = rows[0];
      if (!row) return { status: 'unknown' };
      if (row.used_at || row.revoked_at) {
        await db.query(
          'UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE family_id = $1',
          [row.family_id],
        );
        return { status: 'reused' };
      }
      if (row.expired) return { status: 'expired' };
      await db.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [row.id]);
      const next = await this.issueRefreshToken(row.user_id, ttlSeconds, row.family_id);
      return { status: 'rotated', userId: row.user_id, refreshToken: next };
    },

    /** Revokes the family of `token` (logout); false if the token is unknown. */
    async revokeFamily(token: string): Promise<boolean> {
      const result = await db.query(
        `UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now())
         WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)`,
        [hashToken(token)],
      );
      return (result.rowCount ?? 0) > 0;
    },

    /**
     * The failures the lockout rules judge a sign-in by. First takes locks on the
     * account and on the address, held to the end of the transaction, so attempts that
     * arrive together are decided one after the other, each seeing those before it.
     * Run in a transaction.
     */
    async loginHistory(email: string, address: string): Promise<LoginHistory> {
      // Locks taken in one global order (by key), so two attempts never wait on each other.
      const [first, second] = [lockKey(`account:${email}`), lockKey(`address:${address}`)].sort(
        (a, b) => a - b,
      );
      await db.query(
        'SELECT pg_advisory_xact_lock($1::int, $2::int), pg_advisory_xact_lock($1::int, $3::int)',
        [SIGN_IN_LOCKS, first, second],
      );
      const { rows } = await db.query<{ now: Date; pair: Date[]; account: Date[]; address: Date[] }>(
        `SELECT now(),
           ARRAY(SELECT at FROM login_failures WHERE email = $1 AND address = $2
                 AND at > now() - make_interval(secs => $3::float8 / 1000) ORDER BY at DESC LIMIT $5) AS pair,
           ARRAY(SELECT at FROM login_failures WHERE email = $1
                 AND at > now() - make_interval(secs => $4::float8 / 1000) ORDER BY at DESC LIMIT $5) AS account,
           ARRAY(SELECT at FROM login_failures WHERE address = $2
                 AND at > now() - make_interval(secs => $4::float8 / 1000) ORDER BY at DESC LIMIT $5) AS address`,
        [email, address, PAIR_MEMORY_MS, WINDOW_MS, FAILURES_CONSULTED],
      );
      const row = rows[0];
      if (!row) throw new Error('no sign-in history row');
      return { pair: row.pair, account: row.account, address: row.address, now: row.now.getTime() };
    },

    /** Counts a failure; also deletes a few failures too old to matter, so the table stays small. */
    async recordLoginFailure(email: string, address: string): Promise<void> {
      await db.query(
        `WITH expired AS (
           DELETE FROM login_failures WHERE id IN (
             SELECT id FROM login_failures WHERE at < now() - make_interval(secs => $3::float8 / 1000)
             ORDER BY at LIMIT 100 FOR UPDATE SKIP LOCKED))
         INSERT INTO login_failures (email, address) VALUES ($1, $2)`,
        [email, address, PAIR_MEMORY_MS],
      );
    },

    /** A sign-in forgets this address's failures on the account; other addresses keep theirs. */
    async clearLoginFailures(email: string, address: string): Promise<void> {
      await db.query('DELETE FROM login_failures WHERE email = $1 AND address = $2', [email, address]);
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
