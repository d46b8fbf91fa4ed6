import type { Bus, Pool } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import type { KeyRing } from './keys.ts';
import type { IdentityStore, User } from './store.ts';
import type { TokenIssuer } from './tokens.ts';

/** What identity's routes work with. */
export interface Identity {
  pool: Pool;
  bus: Bus<typeof eventSchemas>;
  store: IdentityStore;
  keys: KeyRing;
  tokens: TokenIssuer;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** How soon verifiers fetch the keys again (`JWKS_REFRESH_MS`); caches keep the JWKS no longer. */
  jwksRefreshMs: number;
  /** client id to secret, for service tokens */
  serviceClients: Map<string, string>;
}

export function toMe(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    preferences: user.preferences,
    createdAt: user.createdAt,
  };
}

/** A new access token and the first refresh token of a new family. */
export async function startSession(identity: Identity, user: User) {
  return {
    user: toMe(user),
    accessToken: await identity.tokens.accessToken(user.id, user.roles),
    refreshToken: await identity.store.issueRefreshToken(user.id, identity.refreshTtlSeconds),
    tokenType: 'Bearer' as const,
    expiresIn: identity.accessTtlSeconds,
  };
}

export function userEventData(user: User) {
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    preferences: user.preferences,
    version: user.version,
  };
}
