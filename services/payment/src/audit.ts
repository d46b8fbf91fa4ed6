import { type App, type Pool, registerAuditRoute, Type } from '@platform/chassis';

const Amount = Type.Integer({ description: 'minor units' });
const PaymentBooks = Type.Object({
  payments: Type.Array(
    Type.Object({
      orderId: Type.String({ format: 'uuid' }),
      status: Type.String(),
      currency: Type.String(),
      authorized: Amount,
      captured: Amount,
      refunded: Amount,
      ledger: Type.Object(
        {
          captures: Type.Integer(),
          captured: Amount,
          refunds: Type.Integer(),
          refunded: Amount,
        },
        { description: "the payment's ledger entries, counted and summed" },
      ),
      refundRecords: Type.Integer({ description: 'rows in refunds' }),
    }),
  ),
});

/** The payment service's books: every payment beside its ledger, to check one against the other. */
export function registerPaymentAudit(app: App, pool: Pool): void {
  registerAuditRoute(app, pool, {
    summary: 'Every payment with its ledger entries counted and summed',
    schema: PaymentBooks,
    async read(client) {
      const { rows } = await client.query<{
        order_id: string;
        status: string;
        currency: string;
        authorized: string;
        captured: string;
        refunded: string;
        captures: number;
        ledger_captured: string;
        refunds: number;
        ledger_refunded: string;
        refund_records: number;
      }>(
        `SELECT p.order_id, p.status, p.currency, p.authorized, p.captured, p.refunded,
           count(*) FILTER (WHERE l.kind = 'capture')::int AS captures,
           coalesce(sum(l.amount) FILTER (WHERE l.kind = 'capture'), 0) AS ledger_captured,
           count(*) FILTER (WHERE l.kind = 'refund')::int AS refunds,
           coalesce(sum(l.amount) FILTER (WHERE l.kind = 'refund'), 0) AS ledger_refunded,
           (SELECT count(*)::int FROM refunds r WHERE r.payment_id = p.id) AS refund_records
         FROM payments p LEFT JOIN ledger l ON l.payment_id = p.id
         GROUP BY p.id ORDER BY p.created_at`,
      );
      return {
        payments: rows.map((row) => ({
          orderId: row.order_id,
          status: row.status,
          currency: row.currency,
          authorized: Number(row.authorized),
          captured: Number(row.captured),
          refunded: Number(row.refunded),
          ledger: {
            captures: row.captures,
            captured: Number(row.ledger_captured),
            refunds: row.refunds,
            refunded: Number(row.ledger_refunded),
          },
          refundRecords: row.refund_records,
        })),
      };
    },
  });
}
