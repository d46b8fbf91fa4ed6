import { type App, type Pool, registerAuditRoute, Type } from '@platform/chassis';

const OrderBooks = Type.Object({
  orders: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      status: Type.String(),
      confirmed: Type.Boolean({ description: 'it was confirmed at some point (it may be cancelled since)' }),
      sagaMode: Type.String(),
      total: Type.Integer({ description: 'minor units' }),
      currency: Type.String(),
      lines: Type.Array(Type.Object({ productId: Type.String(), quantity: Type.Integer() })),
      updatedAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

/** The order service's books: every order, its status, total and lines. */
export function registerOrderAudit(app: App, pool: Pool): void {
  registerAuditRoute(app, pool, {
    summary: 'Every order: status, whether it was ever confirmed, saga mode, total and lines',
    schema: OrderBooks,
    async read(client) {
      const { rows } = await client.query<{
        id: string;
        status: string;
        confirmed: boolean;
        document: {
          sagaMode: string;
          totals: { total: number; currency: string };
          items: Array<{ productId: string; quantity: number }>;
        };
        updated_at: Date;
      }>(
        `SELECT o.id, o.status, o.document, o.updated_at,
                EXISTS (SELECT 1 FROM order_events e
                        WHERE e.order_id = o.id AND e.type = 'OrderConfirmed') AS confirmed
         FROM orders o ORDER BY o.created_at`,
      );
      return {
        orders: rows.map((row) => ({
          id: row.id,
          status: row.status,
          confirmed: row.confirmed,
          sagaMode: row.document.sagaMode,
          total: row.document.totals.total,
          currency: row.document.totals.currency,
          lines: row.document.items.map(({ productId, quantity }) => ({ productId, quantity })),
          updatedAt: row.updated_at.toISOString(),
        })),
      };
    },
  });
}
