import {
  type App,
  deprecationHeaders,
  pageInfo,
  pageLinks,
  preferredVersion,
  Type,
  VersionNotAcceptable,
  versionMediaType,
} from '@platform/chassis';
import { identity as api, ListQuery, Page } from '@platform/contracts';
import { type Identity, toMe, userEventData } from '../context.ts';
import { UserNotFound } from '../errors.ts';
import { createIdentityStore, type User } from '../store.ts';

const tags = ['users'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const V1 = versionMediaType(1);
const V2 = versionMediaType(2);
/** Users in version 1: deprecated since v2 came, answered until its sunset. */
const USERS_V1_LIFE = {
  deprecatedAt: new Date('2026-12-01T00:00:00Z'),
  sunsetAt: new Date('2027-06-01T00:00:00Z'),
};

const toV1 = (user: User) => ({ id: user.id, name: user.name, roles: user.roles });
const toV2 = (user: User) => ({ ...toV1(user), email: user.email, createdAt: user.createdAt });

export function registerUserRoutes(app: App, identity: Identity): void {
  const me = async (subject: string | undefined) => {
    const user = subject ? await identity.store.findById(subject) : undefined;
    if (!user) throw new UserNotFound('Your account no longer exists');
    return user;
  };

  app.get(
    '/api/v1/users/me',
    {
      config: { access: 'user', errors: [UserNotFound] },
      schema: { tags, summary: 'My account', response: { 200: api.Me } },
    },
    async (request) => toMe(await me(request.principal?.subject)),
  );

  app.patch(
    '/api/v1/users/me',
    {
      config: { access: 'user', errors: [UserNotFound] },
      schema: {
        tags,
        summary: 'Change my name or preferences',
        body: api.ProfilePatch,
        response: { 200: api.Me },
      },
    },
    async (request) => {
      const id = (await me(request.principal?.subject)).id;
      const updated = await identity.bus.transaction(async (tx) => {
        const user = await createIdentityStore(tx).updateProfile(id, request.body);
        if (!user) throw new UserNotFound('Your account no longer exists');
        await tx.publish({ type: 'identity.user.updated', subject: user.id, data: userEventData(user) });
        return user;
      });
      return toMe(updated);
    },
  );

  // Another user: yourself or, for an admin, anyone. Everyone else gets 404, not
  // 403, so ids cannot be probed for existence.
  const visible = async (id: string, principal: { subject: string; roles: string[] } | undefined) => {
    const allowed = principal && (principal.subject === id || principal.roles.includes('admin'));
    const user = allowed ? await identity.store.findById(id) : undefined;
    if (!user) throw new UserNotFound(`No user ${id}`);
    return user;
  };

  // The v1 URL also serves v2 to a client that asks by media type (header versioning),
  // and tells v1's clients that it is deprecated and when it ends.
  app.get(
    '/api/v1/users/:id',
    {
      config: { access: 'user', errors: [UserNotFound, VersionNotAcceptable] },
      schema: {
        tags,
        summary: 'A user: v1, or v2 with Accept: application/vnd.platform.v2+json',
        description:
          'Version 1 is deprecated (Deprecation, Sunset and a Link to /api/v2/users/{id} say so); Accept: application/vnd.platform.v2+json answers version 2 at this URL.',
        params: IdParams,
        response: {
          200: {
            description: 'The user, in the version Accept asked for',
            content: {
              'application/json': { schema: api.UserV1 },
              [V1]: { schema: api.UserV1 },
              [V2]: { schema: api.UserV2 },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const version = preferredVersion(request.headers.accept, [1, 2], 1);
      reply.header('vary', 'Accept');
      if (version === undefined)
        throw new VersionNotAcceptable(`This resource has ${V1} and ${V2}`, { headers: { vary: 'Accept' } });
      const user = await visible(request.params.id, request.principal);
      if (version === 2) return reply.type(V2).send(toV2(user));
      reply.headers(deprecationHeaders({ ...USERS_V1_LIFE, successor: `/api/v2/users/${user.id}` }));
      return toV1(user);
    },
  );

  app.get(
    '/api/v2/users/:id',
    {
      config: { access: 'user', errors: [UserNotFound] },
      schema: {
        tags,
        summary: 'A user (v2: adds email and createdAt)',
        params: IdParams,
        response: { 200: api.UserV2 },
      },
    },
    async (request) => toV2(await visible(request.params.id, request.principal)),
  );

  app.get(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Every account (admin)',
        querystring: ListQuery({}),
        response: { 200: Page(api.Me) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const { items, total } = await identity.store.listUsers(page, limit);
      const info = pageInfo(page, limit, total);
      return {
        data: items.map(toMe),
        pagination: info,
        _links: pageLinks('/api/v1/users', request.query, info),
      };
    },
  );
}
