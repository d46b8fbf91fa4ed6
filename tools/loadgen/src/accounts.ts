// The shopper accounts made in setup. A signed-in journey holds one account for its
// whole length: a cart is one account's, and two shoppers filling one cart would check
// out each other's items. Free accounts are handed out oldest first, so an account
// rests as long as possible between journeys (the cart service empties a cart after a
// checkout asynchronously, from the order's event).
import type { Gateway } from './client.ts';

export interface Account {
  email: string;
  /** The login body, written once. */
  credentials: string;
  refreshToken: string;
  /** `authorization`, and with `content-type` for JSON bodies: built once per token. */
  headers: Record<string, string>;
  jsonHeaders: Record<string, string>;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
}

export function account(email: string, password: string, session: Session): Account {
  const fresh: Account = {
    email,
    credentials: JSON.stringify({ email, password }),
    refreshToken: '',
    headers: {},
    jsonHeaders: {},
  };
  signedIn(fresh, session);
  return fresh;
}

/** New tokens for `account`, from a sign-in or a refresh. */
export function signedIn(account: Account, session: Session): void {
  account.refreshToken = session.refreshToken;
  account.headers = { authorization: `Bearer ${session.accessToken}` };
  account.jsonHeaders = { ...account.headers, 'content-type': 'application/json' };
}

/** Access tokens live 15 minutes by default; renewing every 10 keeps a long run signed in. */
const RENEW_EVERY_MS = 10 * 60_000;

export class AccountPool {
  readonly size: number;
  readonly #free: Account[];
  readonly #all: Account[];
  readonly #gateway: Gateway;
  #timer: NodeJS.Timeout | undefined;
  /** Carts being emptied, so the run can wait for them before it ends. */
  readonly #cleaning = new Set<Promise<void>>();

  constructor(accounts: Account[], gateway: Gateway) {
    this.#all = accounts;
    this.#free = [...accounts];
    this.size = accounts.length;
    this.#gateway = gateway;
  }

  get free(): number {
    return this.#free.length;
  }

  claim(): Account | undefined {
    return this.#free.shift();
  }

  /**
   * Gives `account` back. A cart left with items (the journey failed, or the run ended,
   * between adding and checking out) is emptied first, off the clock, so the next
   * journey does not check out someone else's leftovers.
   */
  release(account: Account, cartLeftFull: boolean): void {
    if (!cartLeftFull) {
      this.#free.push(account);
      return;
    }
    const cleaning = this.#gateway
      .send({ method: 'DELETE', path: '/api/v1/cart', headers: account.headers, read: false })
      .then(() => {
        this.#cleaning.delete(cleaning);
        this.#free.push(account);
      });
    this.#cleaning.add(cleaning);
  }

  async settled(): Promise<void> {
    await Promise.all(this.#cleaning);
  }

  /**
   * Renews every account's tokens through the refresh endpoint now and then, off the
   * clock: a sign-in with the password would cost argon2 on every renewal.
   */
  keepFresh(onFailure: (message: string) => void): void {
    this.#timer = setInterval(() => {
      this.#renewAll().catch((error: Error) => onFailure(error.message));
    }, RENEW_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #renewAll(): Promise<void> {
    for (const account of this.#all) {
      const answer = await this.#gateway.send({
        method: 'POST',
        path: '/api/v1/auth/refresh',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: account.refreshToken }),
        read: true,
      });
      if (answer.status !== 200) throw new Error(`renewing ${account.email}'s token: ${answer.status}`);
      signedIn(account, JSON.parse(answer.body ?? '{}') as Session);
    }
  }
}
