// Shoppers' sessions: who is visiting (a guest, perhaps with a cart; or a signed-in
// shopper with a current access token), kept in the storefront's database under an
// opaque id the browser holds in an HttpOnly cookie (decision 029).
import { randomUUID } from 'node:crypto';
import { type Logger, type Pool, withTransaction } from '@platform/chassis';
import type { identity } from '@platform/contracts';
import {
  isSessionId,
  needsRenewal,
  newSessionId,
  type SessionKeys,
  seal,
  sessionKey,
  unseal,
} from './domain/session-secrets.ts';
import type { Gateway } from './gateway.ts';
import { type SessionRow, sessionStore } from './session-store.ts';

export interface SignedInUser {
  id: string;
  name: string;
  /** A current access token, for the gateway. */
  token: string;
}

/** The visitor of one request. */
export interface Shopper {
  sessionId: string;
  /** A new session: its cookie must be set. */
  fresh: boolean;
  /** The guest cart's id in the cart service; a signed-in shopper's is one still to merge. */
  guestId?: string;
  user?: SignedInUser;
  /** The sign-in ended on its own (identity refused to renew it): say so. */
  signedOutBecause?: 'session-ended';
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** What the gateway answered to a refresh: renewed, refused (the session is over), or no answer. */
type Renewal = { kind: 'renewed'; session: identity.Session } | { kind: 'refused' } | { kind: 'unavailable' };

export class Sessions {
  readonly #pool: Pool;
  readonly #gateway: Gateway;
  readonly #keys: SessionKeys;
  readonly #lifetimeMs: number;
  readonly #log: Logger;

  constructor(deps: { pool: Pool; gateway: Gateway; keys: SessionKeys; lifetimeDays: number; log: Logger }) {
    this.#pool = deps.pool;
    this.#gateway = deps.gateway;
    this.#keys = deps.keys;
    this.#lifetimeMs = deps.lifetimeDays * 86_400_000;
    this.#log = deps.log;
  }

  get lifetimeSeconds(): number {
    return Math.floor(this.#lifetimeMs / 1_000);
  }

  #expiry(): Date {
    return new Date(Date.now() + this.#lifetimeMs);
  }

  /** The visitor whose cookie holds `cookie`: a new guest if it names no live session. */
  async shopperOf(cookie: string | undefined): Promise<Shopper> {
    if (!isSessionId(cookie)) return { sessionId: newSessionId(), fresh: true };
    const key = sessionKey(cookie);
    const row = await sessionStore(this.#pool).find(key);
    if (!row) return { sessionId: cookie, fresh: false };
    // Visited at least a day after the last extension: the session lasts its lifetime from now.
    if (row.expiresAt.getTime() < Date.now() + this.#lifetimeMs - 86_400_000) {
      await sessionStore(this.#pool).extend(key, this.#expiry());
    }
    const shopper: Shopper = {
      sessionId: cookie,
      fresh: false,
      ...(row.guestId ? { guestId: row.guestId } : {}),
    };
    if (!row.userId) return shopper;
    const user = await this.#signedIn(row);
    if (!user) return { sessionId: newSessionId(), fresh: true, signedOutBecause: 'session-ended' };
    return { ...shopper, user };
  }

  #tokensOf(row: SessionRow): Tokens | undefined {
    const plain = row.sealedTokens ? unseal(this.#keys, row.key, row.sealedTokens) : undefined;
    return plain ? (JSON.parse(plain) as Tokens) : undefined;
  }

  /** The row's user with a current access token, renewed if need be; undefined once the sign-in is over. */
  async #signedIn(row: SessionRow): Promise<SignedInUser | undefined> {
    const tokens = this.#tokensOf(row);
    if (!tokens || !row.userId || !row.accessExpiresAt) {
      await sessionStore(this.#pool).remove(row.key);
      return undefined;
    }
    const user = { id: row.userId, name: row.userName ?? '' };
    if (!needsRenewal(row.accessExpiresAt, new Date())) return { ...user, token: tokens.accessToken };
    const token = await this.#renew(row.key);
    return token ? { ...user, token } : undefined;
  }

  /**
   * Trades the refresh token for a new pair under a lock on the row, and keeps the new
   * refresh token (identity has spent the old one). Two requests of one session renewing
   * at once wait on the lock: the second finds the pair the first stored, so the
   * storefront never presents a spent token (identity would take that for theft and end
   * every session of the family). Refused: the session is removed.
   */
  async #renew(key: string): Promise<string | undefined> {
    return withTransaction(this.#pool, async (tx) => {
      const store = sessionStore(tx);
      const row = await store.find(key, { lock: true });
      const tokens = row ? this.#tokensOf(row) : undefined;
      if (!row?.accessExpiresAt || !tokens) return undefined;
      if (!needsRenewal(row.accessExpiresAt, new Date())) return tokens.accessToken;
      const renewal = await this.#askToRenew(tokens.refreshToken);
      if (renewal.kind === 'renewed') {
        const { accessToken, refreshToken, expiresIn } = renewal.session;
        await store.renewTokens(
          key,
          this.#seal(key, { accessToken, refreshToken }),
          this.#accessExpiry(expiresIn),
        );
        return accessToken;
      }
      if (renewal.kind === 'refused') {
        this.#log.info({ userId: row.userId }, 'identity refused to renew a session: signed out');
        await store.remove(key);
        return undefined;
      }
      // Identity did not answer: the token still works until it really expires.
      return row.accessExpiresAt.getTime() > Date.now() ? tokens.accessToken : undefined;
    });
  }

  async #askToRenew(refreshToken: string): Promise<Renewal> {
    try {
      const answer = await this.#gateway.post<identity.Session>('/api/v1/auth/refresh', { refreshToken });
      if (answer.ok) return { kind: 'renewed', session: answer.body };
      return answer.status === 401 || answer.status === 400 ? { kind: 'refused' } : { kind: 'unavailable' };
    } catch (error) {
      this.#log.warn({ err: error }, 'could not renew a session: identity unreachable');
      return { kind: 'unavailable' };
    }
  }

  #seal(key: string, tokens: Tokens): string {
    return seal(this.#keys, key, JSON.stringify(tokens));
  }

  #accessExpiry(expiresInSeconds: number): Date {
    return new Date(Date.now() + expiresInSeconds * 1_000);
  }

  /** The guest's cart id, kept with the session from the first item on. */
  async guestCartOf(shopper: Shopper): Promise<string> {
    if (shopper.guestId) return shopper.guestId;
    const key = sessionKey(shopper.sessionId);
    return sessionStore(this.#pool).keepGuestCart(key, randomUUID(), this.#expiry());
  }

  /**
   * Signed in (or up) with `session`: a new session id (one known before signing in is
   * worth nothing after), the tokens sealed in its row, the guest cart kept to merge.
   * The old row is gone. Returns the new shopper.
   */
  async signIn(shopper: Shopper, session: identity.Session): Promise<Shopper> {
    const sessionId = newSessionId();
    const key = sessionKey(sessionId);
    const { accessToken, refreshToken, expiresIn, user } = session;
    await withTransaction(this.#pool, async (tx) => {
      const store = sessionStore(tx);
      await store.remove(sessionKey(shopper.sessionId));
      await store.signIn(
        key,
        {
          userId: user.id,
          userName: user.name,
          sealedTokens: this.#seal(key, { accessToken, refreshToken }),
          accessExpiresAt: this.#accessExpiry(expiresIn),
          guestId: shopper.guestId ?? null,
        },
        this.#expiry(),
      );
    });
    return {
      sessionId,
      fresh: true,
      ...(shopper.guestId ? { guestId: shopper.guestId } : {}),
      user: { id: user.id, name: user.name, token: accessToken },
    };
  }

  /** The guest cart has joined the account's cart: no need to send its id again. */
  async guestCartMerged(shopper: Shopper): Promise<void> {
    if (shopper.user && shopper.guestId)
      await sessionStore(this.#pool).guestCartMerged(sessionKey(shopper.sessionId));
  }

  /** The shopper changed their name: the header shows the new one. */
  async renamed(shopper: Shopper, name: string): Promise<void> {
    await sessionStore(this.#pool).rename(sessionKey(shopper.sessionId), name);
  }

  /** Signs out: identity revokes the refresh token's family, and the row is gone. */
  async signOut(shopper: Shopper): Promise<void> {
    const key = sessionKey(shopper.sessionId);
    const row = await sessionStore(this.#pool).find(key);
    const tokens = row ? this.#tokensOf(row) : undefined;
    await sessionStore(this.#pool).remove(key);
    if (!tokens) return;
    try {
      await this.#gateway.post('/api/v1/auth/logout', { refreshToken: tokens.refreshToken });
    } catch (error) {
      // The row is gone, so nobody can use the token through the shop; it expires on its own.
      this.#log.warn({ err: error }, 'could not revoke the refresh token at sign-out');
    }
  }

  /** Deletes sessions past their lifetime; how many. */
  removeExpired(): Promise<number> {
    return sessionStore(this.#pool).removeExpired();
  }
}
