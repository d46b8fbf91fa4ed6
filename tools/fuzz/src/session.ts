// The callers a run speaks as: a shopper and the administrator, each with an access
// token renewed through its refresh token. Not by logging in again: a long run sends
// many failed logins from one address, and the lockout would refuse the next one.
import type { Auth } from './wire.ts';

export interface Credentials {
  accessToken: string;
  refreshToken: string;
}

/** Tokens live 15 minutes by default; renewing every 10 keeps a long run signed in. */
const RENEW_EVERY_MS = 10 * 60_000;

export class Session {
  readonly #gateway: string;
  readonly #credentials: Partial<Record<Auth, Credentials>>;
  #timer: NodeJS.Timeout | undefined;

  constructor(gateway: string, credentials: Partial<Record<Auth, Credentials>>) {
    this.#gateway = gateway;
    this.#credentials = { ...credentials };
  }

  /** The current access token of `auth`'s caller; none for `none`. */
  readonly token = (auth: Auth): string | undefined => this.#credentials[auth]?.accessToken;

  /** Renews both tokens now and then, until `stop`. */
  keepFresh(log: (line: string) => void = () => undefined): void {
    this.#timer = setInterval(() => {
      this.renew().catch((error: Error) => log(`could not renew the tokens: ${error.message}`));
    }, RENEW_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async renew(): Promise<void> {
    for (const [auth, credentials] of Object.entries(this.#credentials) as Array<[Auth, Credentials]>) {
      const response = await fetch(`${this.#gateway}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: credentials.refreshToken }),
      });
      if (!response.ok) throw new Error(`refreshing the ${auth} token: ${response.status}`);
      this.#credentials[auth] = (await response.json()) as Credentials;
    }
  }
}
