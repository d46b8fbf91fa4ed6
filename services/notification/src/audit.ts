import { type App, type Pool, registerAuditRoute, Type } from '@platform/chassis';

const MessageBooks = Type.Object({
  deliveries: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid', description: "the e-mail's Message-ID is <id@the sender's domain>" }),
      orderId: Type.String({ format: 'uuid' }),
      kind: Type.String(),
      channel: Type.String(),
      status: Type.String({ description: 'pending, sending, sent or failed' }),
    }),
  ),
});

/** The notification service's books: every message about an order, with its kind, channel and fate. */
export function registerMessageAudit(app: App, pool: Pool): void {
  registerAuditRoute(app, pool, {
    summary: 'Every message about an order: kind, channel and status',
    schema: MessageBooks,
    async read(client) {
      const { rows } = await client.query<{
        id: string;
        order_id: string;
        kind: string;
        channel: string;
        status: string;
      }>(
        `SELECT id, order_id, kind, channel, status FROM deliveries WHERE order_id IS NOT NULL ORDER BY created_at`,
      );
      return {
        deliveries: rows.map((row) => ({
          id: row.id,
          orderId: row.order_id,
          kind: row.kind,
          channel: row.channel,
          status: row.status,
        })),
      };
    },
  });
}
