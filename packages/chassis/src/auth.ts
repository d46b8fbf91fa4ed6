import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { DEFAULT_JWKS_REFRESH_MS } from './config.ts';
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
 * Verifies access tokens against the identity service's public keys: the algorithm
 * is pinned (so `alg: none` and HS256-with-the-public-key fail), and `exp`, `nbf`,
 * `iss` and `aud` are checked. With a JWKS URL the keys are cached and fetched again
 * when a token names an unknown `kid` (at most every `refreshMs`, `JWKS_REFRESH_MS`).
 */
export function jwtVerifier(options: {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  keys?: JWTVerifyGetKey;
  refreshMs?: number;
}): TokenVerifier {
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUrl ?? ''), {
      cooldownDuration: options.refreshMs ?? DEFAULT_JWKS_REFRESH_MS,
      cacheMaxAge: 10 * 60_000,
    });
  return {
    async verify(token) {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        clockTolerance: 5,
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((role) => typeof role === 'string')
        : [];
      return { subject: payload.sub ?? '', roles, token, tokenId: payload.jti };
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
    if (!allowed(access, request.principal.roles)) {
      throw new Forbidden(`This needs the ${access === 'user' ? 'customer or admin' : access} role`);
    }
  });
}
