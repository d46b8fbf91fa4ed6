import { type App, pageInfo, pageLinks, Type } from '@platform/chassis';
import { identity as api, ListQuery, Page } from '@platform/contracts';
import { type Identity, toMe, userEventData } from '../context.ts';
import { UserNotFound } from '../errors.ts';
import { createIdentityStore, type User } from '../store.ts';

const tags = ['users'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

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

  app.get(
    '/api/v1/users/:id',
    {
      config: { access: 'user', errors: [UserNotFound] },
      schema: { tags, summary: 'A user (v1 shape)', params: IdParams, response: { 200: api.UserV1 } },
    },
    async (request) => toV1(await visible(request.params.id, request.principal)),
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
