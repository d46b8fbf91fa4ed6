import type { Static, TSchema } from 'typebox';
import { type Pool, type PoolClient, withTransaction } from './db.ts';
import type { App } from './service.ts';

/**
 * `GET /admin/audit`: a service's books, read-only, for the invariant auditor
 * (`npm run audit`). Read in one REPEATABLE READ, READ ONLY transaction, so the parts
 * agree with each other; internal (`/admin` is not routed by the gateway) and for
 * administrators only.
 */
export function registerAuditRoute<S extends TSchema>(
  app: App,
  pool: Pool,
  books: { summary: string; schema: S; read(client: PoolClient): Promise<Static<S>> },
): void {
  app.get(
    '/admin/audit',
    {
      config: { access: 'admin' },
      // Typed by `books.read`; Fastify's provider cannot follow a generic schema.
      schema: { tags: ['audit'], summary: books.summary, response: { 200: books.schema as TSchema } },
    },
    () =>
      withTransaction(pool, async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        return books.read(client);
      }),
  );
}
