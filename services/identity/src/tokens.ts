import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, jwtVerifier, type TokenVerifier } from '@platform/chassis';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, SignJWT } from 'jose';
import type { KeyRing } from './keys.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

/** Signs short-lived access tokens with the key ring's current key. */
export function createTokenIssuer(keys: KeyRing, settings: TokenSettings) {
  return {
    async accessToken(subject: string, roles: string[]): Promise<string> {
      const key = await keys.current();
      return new SignJWT({ roles })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: key.kid, typ: 'JWT' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setSubject(subject)
        .setJti(randomUUID())
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime(`${settings.accessTtlSeconds}s`)
        .sign(key.privateKey);
    },
  };
}

/**
 * Identity verifies tokens from its own key ring rather than over HTTP: the set
 * is cached for a few seconds and read again when a token names an unknown key.
 */
export function localVerifier(keys: KeyRing, settings: TokenSettings): TokenVerifier {
  let cached: { set: JSONWebKeySet; at: number } | undefined;
  const getKey: JWTVerifyGetKey = async (header, token) => {
    const stale = !cached || Date.now() - cached.at > 5_000;
    const known = cached?.set.keys.some((key) => key.kid === header.kid);
    const current = stale || !known || !cached ? { set: await keys.jwks(), at: Date.now() } : cached;
    cached = current;
    return createLocalJWKSet(current.set)(header, token);
  };
  return jwtVerifier({ issuer: settings.issuer, audience: settings.audience, keys: getKey });
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
