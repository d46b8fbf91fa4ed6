import {
  announce,
  createDiscovery,
  createService,
  driverFromConfig,
  keyActivationDelayMs,
  openBus,
  openDatabase,
  type Service,
  type Static,
  serviceOptionsFrom,
} from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import type { IdentityConfig } from './config.ts';
import { type Identity, userEventData } from './context.ts';
import { normaliseEmail } from './domain/email.ts';
import { registerAuthRoutes } from './http/auth-routes.ts';
import { registerUserRoutes } from './http/user-routes.ts';
import { createKeyRing, sealStoredKeys } from './keys.ts';
import { hashPassword } from './passwords.ts';
import { createIdentityStore } from './store.ts';
import { createTokenIssuer, localVerifier } from './tokens.ts';

/** `a:secret1,b:secret2` as a map. */
function parseClients(value: string): Map<string, string> {
  return new Map(
    value
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf(':');
        return [pair.slice(0, at), pair.slice(at + 1)] as const;
      }),
  );
}

/** Builds and starts the identity service. */
export async function startIdentity(config: Static<typeof IdentityConfig>): Promise<Service> {
  const settings = {
    issuer: config.TOKEN_ISSUER,
    audience: config.TOKEN_AUDIENCE,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  };
  // The key ring needs the database, and the service needs the verifier: the
  // verifier reads the ring lazily, so it can be handed over before the pool exists.
  let ring: ReturnType<typeof createKeyRing> | undefined;
  const keys = {
    current: () => (ring ?? missing()).current(),
    rotate: () => (ring ?? missing()).rotate(),
    jwks: () => (ring ?? missing()).jwks(),
  };
  const service = await createService({
    name: 'identity',
    description: 'Accounts, sign-in, tokens and roles',
    ...serviceOptionsFrom(config),
    auth: localVerifier(keys, settings),
  });
  const pool = await openDatabase(service, {
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    migrations: new URL('../migrations/', import.meta.url),
  });
  const encryptionKey = config.SIGNING_KEY_ENCRYPTION_KEY
    ? Buffer.from(config.SIGNING_KEY_ENCRYPTION_KEY, 'base64')
    : undefined;
  if (encryptionKey) {
    const sealed = await sealStoredKeys(pool, encryptionKey);
    if (sealed > 0) service.log.info({ keys: sealed }, 'signing keys stored in clear are now encrypted');
  } else {
    service.log.warn('SIGNING_KEY_ENCRYPTION_KEY is not set: signing keys are stored unencrypted');
  }
  ring = createKeyRing({
    pool,
    rotationMs: config.SIGNING_KEY_ROTATION_HOURS * 3_600_000,
    tokenTtlMs: config.ACCESS_TOKEN_TTL_SECONDS * 1_000,
    activationDelayMs: keyActivationDelayMs(config.JWKS_REFRESH_MS),
    encryptionKey,
  });
  await ring.current();
  const bus = await openBus(service, {
    pool,
    databaseUrl: config.DATABASE_URL,
    driver: driverFromConfig(config, service),
    schemas: eventSchemas,
    retry: { maxAttempts: config.BUS_MAX_ATTEMPTS },
  });
  const store = createIdentityStore(pool);
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    const passwordHash = await hashPassword(config.ADMIN_PASSWORD);
    const admin = await bus.transaction(async (tx) => {
      const ensured = await createIdentityStore(tx).ensureUser({
        email: normaliseEmail(config.ADMIN_EMAIL ?? ''),
        name: 'Administrator',
        passwordHash,
        roles: ['admin'],
      });
      // Announced like any new account, so services that keep users (notification) know it.
      if (ensured.created) {
        await tx.publish({
          type: 'identity.user.registered',
          subject: ensured.user.id,
          data: userEventData(ensured.user),
        });
      }
      return ensured.user;
    });
    service.log.info({ userId: admin.id, email: admin.email }, 'administrator account ready');
  }
  const identity: Identity = {
    pool,
    bus,
    store,
    keys,
    tokens: createTokenIssuer(keys, settings),
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    jwksRefreshMs: config.JWKS_REFRESH_MS,
    serviceClients: parseClients(config.SERVICE_CLIENTS),
  };
  registerAuthRoutes(service.app, identity);
  registerUserRoutes(service.app, identity);
  const url = await service.listen({ host: config.HOST, port: config.PORT });
  await announce(service, createDiscovery(config, { log: service.log }), {
    url,
    version: config.SERVICE_VERSION,
    zone: config.ZONE,
  });
  return service;
}

function missing(): never {
  throw new Error('the key ring is not ready yet');
}
