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
           (SELECT count(*)::int FROM ledger l WHERE l.payment_id = p.id AND kind = 'capture') AS captures,
           (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.payment_id = p.id AND kind = 'capture') AS ledger_captured,
           (SELECT count(*)::int FROM ledger l WHERE l.payment_id = p.id AND kind = 'refund') AS refunds,
           (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.payment_id = p.id AND kind = 'refund') AS ledger_refunded,
           (SELECT count(*)::int FROM refunds r WHERE r.payment_id = p.id) AS refund_records
         FROM payments p ORDER BY p.created_at`,
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
