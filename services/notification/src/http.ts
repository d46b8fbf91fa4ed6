import { type App, type Pool, pageInfo, pageLinks } from '@platform/chassis';
import { notifications as api } from '@platform/contracts';
import { listDeliveries } from './deliveries.ts';
import { MailboxNotConfigured, MailboxUnavailable } from './errors.ts';
import type { MailboxReader } from './mailbox.ts';

const USER = { access: 'user' } as const;
const ADMIN = { access: 'admin' } as const;

export function registerNotificationRoutes(app: App, options: { pool: Pool; mailbox: MailboxReader }): void {
  const { pool, mailbox } = options;

  app.get(
    '/api/v1/notifications',
    {
      config: USER,
      schema: {
        tags: ['notifications'],
        summary: 'What the platform told me, newest first, one entry per message and channel',
        querystring: api.NotificationQuery,
        response: { 200: api.NotificationList },
      },
    },
    async (request) => {
      const { page, limit, status } = request.query;
      const userId = request.principal?.subject ?? '';
      const { rows, total } = await listDeliveries(pool, { userId, status, page, limit });
      const info = pageInfo(page, limit, total);
      return {
        data: rows.map(({ id, kind, channel, subject, status, sentAt }) => ({
          id,
          kind,
          channel,
          subject,
          status,
          sentAt,
        })),
        pagination: info,
        _links: pageLinks('/api/v1/notifications', request.query, info),
      };
    },
  );

  app.get(
    '/api/v1/admin/notifications',
    {
      config: ADMIN,
      schema: {
        tags: ['operations'],
        summary: 'Every message, with attempts and the last error: find what failed and why',
        querystring: api.DeliveryQuery,
        response: { 200: api.DeliveryList },
      },
    },
    async (request) => {
      const { rows, total } = await listDeliveries(pool, request.query);
      const info = pageInfo(request.query.page, request.query.limit, total);
      return {
        data: rows,
        pagination: info,
        _links: pageLinks('/api/v1/admin/notifications', request.query, info),
      };
    },
  );

  app.get(
    '/api/v1/admin/mailbox',
    {
      config: { ...ADMIN, errors: [MailboxNotConfigured, MailboxUnavailable] },
      schema: {
        tags: ['operations'],
        summary: "The embedded SMTP sink's mail, newest first: recipient, subject, text and HTML",
        querystring: api.MailboxQuery,
        response: { 200: api.Mailbox },
      },
    },
    async (request) => {
      const { page, limit, to } = request.query;
      const { data, total } = await mailbox.read({ to, page, limit });
      const info = pageInfo(page, limit, total);
      return { data, pagination: info, _links: pageLinks('/api/v1/admin/mailbox', request.query, info) };
    },
  );
}
