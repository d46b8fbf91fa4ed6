// The operator's sign-in. The console asks identity (through the gateway) with the
// administrator's e-mail and password, keeps the tokens on the server, and gives the
// browser only an opaque session id in an HttpOnly, SameSite=Strict cookie (Secure
// when the console is reached over TLS): no token is ever in the page. A state-changing
// request must also come from the console's own pages (its Origin), so a page elsewhere
// cannot make an operator's browser kill a service.
import { randomBytes } from 'node:crypto';
import { cookieHeader, cookieOf } from '@platform/web';
import type { FastifyRequest } from 'fastify';

export const COOKIE = 'console_session';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { email: string; roles: string[] };
}

interface Session {
  email: string;
  accessToken: string;
  refreshToken: string;
  /** When the access token must be renewed (epoch ms). */
  renewAt: number;
  endsAt: number;
}

export type SignIn =
  | { ok: true; sessionId: string }
  | { ok: false; reason: 'wrong-credentials' | 'not-an-administrator' | 'identity-unavailable' };

export class Sessions {
  readonly #sessions = new Map<string, Session>();
  readonly #gateway: string;
  readonly #lifetimeMs: number;

  constructor(gateway: string, lifetimeHours: number) {
    this.#gateway = gateway;
    this.#lifetimeMs = lifetimeHours * 3_600_000;
  }

  async #ask(path: string, body: unknown): Promise<{ status: number; tokens?: Tokens }> {
    const answer = await fetch(`${this.#gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!answer.ok) return { status: answer.status };
    return { status: answer.status, tokens: (await answer.json()) as Tokens };
  }

  async signIn(email: string, password: string): Promise<SignIn> {
    const { status, tokens } = await this.#ask('/api/v1/auth/login', { email, password }).catch(() => ({
      status: 0,
      tokens: undefined,
    }));
    if (!tokens)
      return {
        ok: false,
        reason: status === 401 || status === 400 ? 'wrong-credentials' : 'identity-unavailable',
      };
    if (!tokens.user.roles.includes('admin')) return { ok: false, reason: 'not-an-administrator' };
    const sessionId = randomBytes(32).toString('base64url');
    this.#sessions.set(sessionId, {
      email: tokens.user.email,
      ...this.#keep(tokens),
      endsAt: Date.now() + this.#lifetimeMs,
    });
    return { ok: true, sessionId };
  }

  #keep(tokens: Tokens) {
    // Renewed a little before it expires, so no call goes out with a token about to lapse.
    const renewAt = Date.now() + Math.max(5, tokens.expiresIn - 30) * 1_000;
    return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, renewAt };
  }

  /** The signed-in operator of `sessionId` and a current access token, or undefined (signed out, lapsed). */
  async operator(sessionId: string | undefined): Promise<{ email: string; token: string } | undefined> {
    const session = sessionId ? this.#sessions.get(sessionId) : undefined;
    if (!session || !sessionId) return undefined;
    if (Date.now() > session.endsAt) {
      this.#sessions.delete(sessionId);
      return undefined;
    }
    if (Date.now() > session.renewAt) {
      const { tokens } = await this.#ask('/api/v1/auth/refresh', {
        refreshToken: session.refreshToken,
      }).catch(() => ({ tokens: undefined }));
      if (!tokens) {
        this.#sessions.delete(sessionId);
        return undefined;
      }
      Object.assign(session, this.#keep(tokens));
    }
    return { email: session.email, token: session.accessToken };
  }

  signOut(sessionId: string | undefined): void {
    if (sessionId) this.#sessions.delete(sessionId);
  }
}

/** The session cookie's value in a request, if any. */
export const sessionIdOf = (request: FastifyRequest): string | undefined => cookieOf(request, COOKIE);

/** The Set-Cookie header for a session (empty id and no age: the cookie is removed). */
export const sessionCookie = (request: FastifyRequest, sessionId: string, maxAgeSeconds: number): string =>
  cookieHeader(request, COOKIE, sessionId, { maxAgeSeconds, sameSite: 'Strict' });
