import { type App, type Pool, registerAuditRoute, Type } from '@platform/chassis';

const Line = Type.Object({ productId: Type.String(), quantity: Type.Integer() });
const StockBooks = Type.Object({
  products: Type.Array(
    Type.Object({
      productId: Type.String({ format: 'uuid' }),
      received: Type.Integer({ description: 'first count plus every count an operator set since' }),
      onHand: Type.Integer(),
      reserved: Type.Integer(),
    }),
  ),
  reservations: Type.Array(
    Type.Object({ orderId: Type.String({ format: 'uuid' }), status: Type.String(), lines: Type.Array(Line) }),
  ),
});

/** The inventory's books: every stock row with what it received, every reservation with its lines. */
export function registerStockAudit(app: App, pool: Pool): void {
  registerAuditRoute(app, pool, {
    summary: 'Stock received, on hand and reserved per product; every reservation',
    schema: StockBooks,
    async read(client) {
      const stock = await client.query<{
        product_id: string;
        received: string;
        on_hand: number;
        reserved: number;
      }>('SELECT product_id, received, on_hand, reserved FROM stock ORDER BY product_id');
      const reservations = await client.query<{
        order_id: string;
        status: string;
        lines: Array<{ productId: string; quantity: number }>;
      }>('SELECT order_id, status, lines FROM reservations ORDER BY created_at');
      return {
        products: stock.rows.map((row) => ({
          productId: row.product_id,
          received: Number(row.received),
          onHand: row.on_hand,
          reserved: row.reserved,
        })),
        reservations: reservations.rows.map((row) => ({
          orderId: row.order_id,
          status: row.status,
          lines: row.lines.map(({ productId, quantity }) => ({ productId, quantity })),
        })),
      };
    },
  });
}
