import { ListQuery } from '@platform/contracts';
import Type from 'typebox';
import type { Pool } from '../db.ts';
import { pageInfo, pageLinks } from '../pagination.ts';
import type { App } from '../service.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import { DeadLetterNotFound, DeadLetterSettled, ReplayFailed, UnknownConsumerGroup } from './errors.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['dead letters'];
const ADMIN = { access: 'admin' } as const;

/**
 * Operator routes for the dead letters of this service's consumer groups: list,
 * inspect, replay (run the handler again), discard. Internal: the gateway does not
 * route `/admin/*`.
 */
export function registerDeadLetterRoutes(
  app: App,
  store: DeadLetterStore,
  replay: (id: number) => Promise<void>,
): void {
  app.get(
    '/admin/dead-letters',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Dead letters, oldest first',
        querystring: ListQuery({
          status: Type.Union([Type.Literal('dead'), Type.Literal('replayed'), Type.Literal('discarded')], {
            default: 'dead',
          }),
          group: Type.Optional(Type.String({ maxLength: 100 })),
        }),
      },
    },
    async (request) => {
      const { items, total } = await store.list(request.query);
      const info = pageInfo(request.query.page, request.query.limit, total);
      return { data: items, pagination: info, _links: pageLinks('/admin/dead-letters', request.query, info) };
    },
  );

  app.get(
    '/admin/dead-letters/:id',
    {
      config: { ...ADMIN, errors: [DeadLetterNotFound] },
      schema: { tags, summary: 'One dead letter', params: IdParams },
    },
    async (request) => {
      const letter = await store.get(request.params.id);
      if (!letter) throw new DeadLetterNotFound(`No dead letter ${request.params.id}`);
      return letter;
    },
  );

  app.post(
    '/admin/dead-letters/:id/replay',
    {
      config: {
        ...ADMIN,
        errors: [DeadLetterNotFound, DeadLetterSettled, UnknownConsumerGroup, ReplayFailed],
      },
      schema: { tags, summary: "Run the group's handler on it again", params: IdParams },
    },
    async (request) => {
      await replay(request.params.id);
      return store.get(request.params.id);
    },
  );

  app.post(
    '/admin/dead-letters/:id/discard',
    {
      config: { ...ADMIN, errors: [DeadLetterNotFound, DeadLetterSettled] },
      schema: { tags, summary: 'Give up on it for good (kept for the record)', params: IdParams },
    },
    async (request) => {
      const letter = await store.get(request.params.id);
      if (!letter) throw new DeadLetterNotFound(`No dead letter ${request.params.id}`);
      if (!(await store.settle(request.params.id, 'discarded'))) {
        throw new DeadLetterSettled(`Dead letter ${request.params.id} is ${letter.status}`);
      }
      return store.get(request.params.id);
    },
  );
}

const OutboxState = Type.Object({
  pending: Type.Integer({ description: 'events committed and not yet published' }),
  oldestPendingMs: Type.Union([Type.Integer(), Type.Null()], {
    description: 'how long the oldest of them has waited; null when none waits',
  }),
});

const OutboxMessage = Type.Object({
  eventId: Type.String(),
  type: Type.String(),
  subject: Type.String(),
  correlationId: Type.Union([Type.String(), Type.Null()]),
  causationId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'when the relay published it; null while it waits',
  }),
});

/** What this service published about one subject (an order id), oldest first, while the outbox keeps it. */
function registerSubjectRoute(app: App, pool: Pool): void {
  app.get(
    '/admin/outbox/messages',
    {
      config: ADMIN,
      schema: {
        tags: ['outbox'],
        summary: 'The messages this service published about one subject (kept a day after publishing)',
        querystring: Type.Object({ subject: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ data: Type.Array(OutboxMessage) }) },
      },
    },
    async (request) => {
      const { rows } = await pool.query<{
        event_id: string;
        type: string;
        subject: string;
        correlation_id: string | null;
        causation_id: string | null;
        created_at: Date;
        sent_at: Date | null;
      }>(
        `SELECT event_id, type, envelope->>'subject' AS subject, envelope->>'correlationid' AS correlation_id,
                envelope->>'causationid' AS causation_id, created_at, sent_at
         FROM outbox WHERE envelope->>'subject' = $1 ORDER BY id LIMIT 200`,
        [request.query.subject],
      );
      return {
        data: rows.map((row) => ({
          eventId: row.event_id,
          type: row.type,
          subject: row.subject,
          correlationId: row.correlation_id,
          causationId: row.causation_id,
          createdAt: row.created_at.toISOString(),
          sentAt: row.sent_at?.toISOString() ?? null,
        })),
      };
    },
  );
}

/** What the relay has yet to publish: for an auditor's "nothing stuck in the outbox". */
export function registerOutboxRoute(app: App, pool: Pool): void {
  registerSubjectRoute(app, pool);
  app.get(
    '/admin/outbox',
    {
      config: ADMIN,
      schema: {
        tags: ['outbox'],
        summary: 'Events committed and not yet published, and the age of the oldest',
        response: { 200: OutboxState },
      },
    },
    async () => {
      const { rows } = await pool.query<{ pending: number; oldest_ms: number | null }>(
        `SELECT count(*)::int AS pending,
                (extract(epoch FROM now() - min(created_at)) * 1000)::int AS oldest_ms
         FROM outbox WHERE sent_at IS NULL`,
      );
      return { pending: rows[0]?.pending ?? 0, oldestPendingMs: rows[0]?.oldest_ms ?? null };
    },
  );
}

const ConsumerGroups = Type.Object({
  groups: Type.Array(
    Type.Object({
      group: Type.String(),
      types: Type.Array(Type.String(), { description: 'the event and command types the group takes' }),
      pending: Type.Integer({
        description: 'messages of those types the group has not yet handled (its lag)',
      }),
    }),
  ),
});

/** This service's consumer groups, what each takes, and how far behind each is. */
export function registerConsumerRoute(
  app: App,
  groups: () => Promise<Array<{ group: string; types: string[]; pending: number }>>,
): void {
  app.get(
    '/admin/consumers',
    {
      config: ADMIN,
      schema: {
        tags: ['consumers'],
        summary: "This service's consumer groups: the types each takes and its lag",
        response: { 200: ConsumerGroups },
      },
    },
    async () => ({ groups: await groups() }),
  );
}
