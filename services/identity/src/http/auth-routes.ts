import { timingSafeEqual } from 'node:crypto';
import { type App, Type } from '@platform/chassis';
import { identity as api } from '@platform/contracts';
import { type Identity, startSession, toMe, userEventData } from '../context.ts';
import { normaliseEmail } from '../domain/email.ts';
import { addressKey } from '../domain/lockout.ts';
import { passwordProblem } from '../domain/password-policy.ts';
import {
  EmailTaken,
  InvalidClient,
  InvalidCredentials,
  InvalidRefreshToken,
  PasswordRejected,
  TooManyAttempts,
} from '../errors.ts';
import { DECOY_HASH, hashPassword, verifyPassword } from '../passwords.ts';
import { admitSignIn } from '../sign-in.ts';
import { createIdentityStore } from '../store.ts';

const PUBLIC = { access: 'public' } as const;
const tags = ['auth'];

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerAuthRoutes(app: App, identity: Identity): void {
  app.post(
    '/api/v1/auth/register',
    {
      config: { ...PUBLIC, errors: [PasswordRejected, EmailTaken] },
      schema: { tags, summary: 'Create an account', body: api.RegisterBody, response: { 201: api.Session } },
    },
    async (request, reply) => {
      const email = normaliseEmail(request.body.email);
      const problem = passwordProblem(request.body.password, email);
      if (problem) throw new PasswordRejected(`The password ${problem}`, { extensions: { rule: problem } });
      const passwordHash = await hashPassword(request.body.password);
      const user = await identity.bus.transaction(async (tx) => {
        const created = await createIdentityStore(tx).insertUser({
          email,
          name: request.body.name,
          passwordHash,
          roles: ['customer'],
        });
        if (!created) throw new EmailTaken(`${email} already has an account`);
        await tx.publish({
          type: 'identity.user.registered',
          subject: created.id,
          data: userEventData(created),
        });
        return created;
      });
      return reply.code(201).send(await startSession(identity, user));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { ...PUBLIC, errors: [TooManyAttempts, InvalidCredentials] },
      schema: { tags, summary: 'Sign in', body: api.LoginBody, response: { 200: api.Session } },
    },
    async (request, reply) => {
      const email = normaliseEmail(request.body.email);
      const address = addressKey(request.ip);
      await admitSignIn(identity, { email, address }, request.log);
      const found = await identity.store.findByEmail(email);
      // An unknown email costs a full hash check too, so timing does not tell them apart.
      const matches = await verifyPassword(request.body.password, found?.passwordHash ?? DECOY_HASH);
      if (!found || !matches) throw new InvalidCredentials('Wrong email or password');
      await identity.store.clearLoginFailures(email, address);
      return reply.send(await startSession(identity, found.user));
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { ...PUBLIC, errors: [InvalidRefreshToken] },
      schema: {
        tags,
        summary: 'Trade a refresh token for a new pair (single use)',
        body: api.RefreshBody,
        response: { 200: api.Session },
      },
    },
    async (request) => {
      const outcome = await identity.bus.transaction((tx) =>
        createIdentityStore(tx).rotateRefreshToken(request.body.refreshToken, identity.refreshTtlSeconds),
      );
      if (outcome.status !== 'rotated') {
        const detail =
          outcome.status === 'reused'
            ? 'This refresh token was already used; every session of its family is now revoked'
            : `The refresh token is ${outcome.status === 'expired' ? 'expired' : 'not valid'}`;
        throw new InvalidRefreshToken(detail);
      }
      const user = await identity.store.findById(outcome.userId);
      if (!user) throw new InvalidRefreshToken('The account no longer exists');
      return {
        user: toMe(user),
        accessToken: await identity.tokens.accessToken(user.id, user.roles),
        refreshToken: outcome.refreshToken,
        tokenType: 'Bearer' as const,
        expiresIn: identity.accessTtlSeconds,
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: PUBLIC,
      schema: {
        tags,
        summary: 'Revoke a refresh token and its family',
        body: api.RefreshBody,
        response: { 204: Type.Null({ description: 'Revoked (an unknown token needs nothing revoked)' }) },
      },
    },
    async (request, reply) => {
      await identity.store.revokeFamily(request.body.refreshToken);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/token',
    {
      config: { ...PUBLIC, errors: [InvalidClient] },
      schema: {
        tags,
        summary: 'Service token (OAuth 2 client credentials grant)',
        body: api.ClientCredentialsBody,
        response: { 200: api.ServiceToken },
      },
    },
    async (request) => {
      const expected = identity.serviceClients.get(request.body.client_id);
      if (!expected || !sameSecret(request.body.client_secret, expected)) {
        throw new InvalidClient('Unknown client or wrong secret');
      }
      return {
        access_token: await identity.tokens.accessToken(`service:${request.body.client_id}`, ['service']),
        token_type: 'Bearer' as const,
        expires_in: identity.accessTtlSeconds,
      };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    { config: PUBLIC, schema: { tags, summary: 'Public keys that verify access tokens' } },
    async (_request, reply) => {
      // No cache may keep the keys longer than verifiers wait to fetch them again: a new
      // key is published only twice that long before it signs (docs/decisions/018).
      reply.header('cache-control', `public, max-age=${Math.floor(identity.jwksRefreshMs / 1_000)}`);
      return identity.keys.jwks();
    },
  );

  app.post(
    '/api/v1/auth/keys/rotate',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Publish a new signing key now; it signs from signsFrom on',
        description:
          'The key is published first and signs once every service can have fetched it (twice JWKS_REFRESH_MS later); until then the current key signs. A rotation while a key is already planned changes nothing and answers that key.',
        response: { 202: api.KeyRotation },
      },
    },
    async (_request, reply) => {
      const planned = await identity.keys.rotate();
      return reply.code(202).send({ kid: planned.kid, signsFrom: planned.signsFrom.toISOString() });
    },
  );
}
