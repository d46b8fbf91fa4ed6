import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { DEFAULT_JWKS_REFRESH_MS } from './config.ts';
import { setCurrentUser } from './context.ts';
import { defineProblem } from './errors.ts';

/** Who may call a route: anyone, a signed-in person, an administrator, or another service. */
export type Access = 'public' | 'user' | 'admin' | 'service';

export interface Principal {
  subject: string;
  roles: string[];
  /** The bearer token itself, to pass on when calling other services for this caller. */
  token: string;
  tokenId: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const Unauthenticated = defineProblem({
  code: 'UNAUTHENTICATED',
  status: 401,
  title: 'Authentication required',
});
export const Forbidden = defineProblem({ code: 'FORBIDDEN', status: 403, title: 'Not allowed' });

export interface TokenVerifier {
  /** The principal of a valid token; rejects for anything else. */
  verify(token: string): Promise<Principal>;
}

export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';

/**
 * How long identity publishes a new key before signing with it, for verifiers that
 * fetch its keys again at most every `refreshMs` for an unknown `kid`. A verifier
 * that fetched just before the key appeared may fetch again `refreshMs` later; the
 * second `refreshMs` covers an HTTP cache on the way keeping a copy as long (the
 * JWKS says `max-age` of `refreshMs`). So no verifier meets a token whose key it
 * cannot have (docs/decisions/018).
 */
export function keyActivationDelayMs(refreshMs: number): number {
  return 2 * refreshMs;
}

/**
 * Tokens already verified, so that a caller's next requests are not checked again:
 * keyed by the whole token (a changed byte is another token), remembered until the
 * earlier of its `exp` and `maxAgeMs` (the key set's refresh time, so a key withdrawn
 * from the set stops working as soon as it would without this), at most `max` of
 * them, the oldest forgotten first. A token that fails is never remembered.
 */
class VerifiedTokens {
  readonly #entries = new Map<string, { principal: Principal; until: number }>();
  readonly #max: number;
  readonly #maxAgeMs: number;
  constructor(max: number, maxAgeMs: number) {
    this.#max = max;
    this.#maxAgeMs = maxAgeMs;
  }

  get(token: string, now: number): Principal | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.principal;
    this.#entries.delete(token);
    return undefined;
  }

  remember(token: string, principal: Principal, expiresAtSeconds: number, now: number): void {
    if (this.#max <= 0) return;
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(token, { principal, until: Math.min(expiresAtSeconds * 1000, now + this.#maxAgeMs) });
  }
}

/**
 * Verifies access tokens against the identity service's public keys: the algorithm
 * is pinned (so `alg: none` and HS256-with-the-public-key fail), and `exp`, `nbf`,
 * `iss` and `aud` are checked. With a JWKS URL the keys are cached and fetched again
 * when a token names an unknown `kid` (at most every `refreshMs`, `JWKS_REFRESH_MS`).
 * A verified token is remembered (`rememberTokens` of them, default 10 000) until it
 * expires or `refreshMs` passes: checking an EdDSA signature is the costliest step of
 * a request at the edge, and a client sends the same token many times.
 */
export function jwtVerifier(options: {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  keys?: JWTVerifyGetKey;
  refreshMs?: number;
  rememberTokens?: number;
  /** The clock, for tests. */
  now?: () => number;
}): TokenVerifier {
  const refreshMs = options.refreshMs ?? DEFAULT_JWKS_REFRESH_MS;
  const now = options.now ?? Date.now;
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUrl ?? ''), {
      cooldownDuration: refreshMs,
      cacheMaxAge: 10 * 60_000,
    });
  const verified = new VerifiedTokens(options.rememberTokens ?? 10_000, refreshMs);
  return {
    async verify(token) {
      const at = now();
      const known = verified.get(token, at);
      if (known) return known;
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        clockTolerance: 5,
        currentDate: new Date(at),
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((role) => typeof role === 'string')
        : [];
      const principal: Principal = { subject: payload.sub ?? '', roles, token, tokenId: payload.jti };
      verified.remember(token, principal, payload.exp ?? 0, at);
      return principal;
    },
  };
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header) : null;
  return match?.[1];
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };

function allowed(access: Access, roles: string[]): boolean {
  switch (access) {
    case 'public':
      return true;
    case 'admin':
      return roles.includes('admin');
    case 'service':
      return roles.includes('service');
    case 'user':
      return roles.includes('customer') || roles.includes('admin');
  }
}

/** A person's requests are evaluated for feature flags as that person (a service is nobody). */
function actsFor(principal: Principal | undefined): void {
  if (principal && !principal.roles.includes('service')) setCurrentUser(principal.subject);
}

/**
 * Every route declares `config.access`; a route that does not is `defaultAccess`
 * ('user'), so forgetting to declare closes a route rather than opening it. A
 * missing or bad token gets 401, a valid one without the role 403. The service
 * checks tokens itself, whether or not the call came through the gateway.
 */
export function installAuth(
  app: FastifyInstance,
  verifier: TokenVerifier,
  defaultAccess: Access = 'user',
): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.url) return; // unknown route: 404/405 as usual
    // CORS preflights never carry credentials (Fetch standard); the request they
    // announce is checked when it comes.
    if (request.method === 'OPTIONS') return;
    const access = request.routeOptions.config.access ?? defaultAccess;
    const token = bearerToken(request);
    if (access === 'public') {
      if (token) request.principal = await verifier.verify(token).catch(() => undefined);
      actsFor(request.principal);
      return;
    }
    if (!token) {
      throw new Unauthenticated('Send an access token: Authorization: Bearer <token>', {
        headers: CHALLENGE,
      });
    }
    try {
      request.principal = await verifier.verify(token);
    } catch (error) {
      const detail =
        error instanceof errors.JWTExpired ? 'The access token has expired' : 'The access token is invalid';
      throw new Unauthenticated(detail, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
    actsFor(request.principal);
    if (!allowed(access, request.principal.roles)) {
      throw new Forbidden(`This needs the ${access === 'user' ? 'customer or admin' : access} role`);
    }
  });
}
