import type { App, Bus, Pool } from '@platform/chassis';
import { Type } from '@platform/chassis';
import { type eventSchemas, inventory } from '@platform/contracts';
import { ReservationNotFound, StockBelowReserved, StockNotFound } from './errors.ts';
import type { StockOperations } from './operations.ts';
import { reservationStore, toReservation } from './reservation-store.ts';
import { stockStore, toStockLevel } from './stock-store.ts';

const PUBLIC = { access: 'public' } as const;
const ADMIN = { access: 'admin' } as const;
const tags = ['inventory'];
const OrderParams = Type.Object({ orderId: Type.String({ format: 'uuid' }) });

export function registerInventoryRoutes(
  app: App,
  deps: { pool: Pool; bus: Bus<typeof eventSchemas>; operations: StockOperations },
): void {
  const { pool, bus, operations } = deps;

  app.get(
    '/api/v1/inventory',
    {
      config: PUBLIC,
      schema: {
        tags,
        summary:
          'Stock levels of several products at once (?productId=a&productId=b); a product with no stock kept is left out',
        querystring: inventory.StockLookupQuery,
        response: { 200: inventory.StockLevelList },
      },
    },
    async (request) => ({
      data: (await stockStore(pool).findMany(request.query.productId)).map(toStockLevel),
    }),
  );

  app.get(
    '/api/v1/inventory/:productId',
    {
      config: { ...PUBLIC, errors: [StockNotFound] },
      schema: {
        tags,
        summary: "A product's stock: on hand, reserved and available",
        params: inventory.ProductParams,
        response: { 200: inventory.StockLevel },
      },
    },
    async (request) => {
      const count = await stockStore(pool).find(request.params.productId);
      if (!count) throw new StockNotFound(`No stock is kept for product ${request.params.productId}`);
      return toStockLevel(count);
    },
  );

  app.put(
    '/api/v1/inventory/:productId',
    {
      config: { ...ADMIN, errors: [StockBelowReserved] },
      schema: {
        tags,
        summary: 'Set what is on hand (409 below what is reserved)',
        params: inventory.ProductParams,
        body: inventory.SetStock,
        response: { 200: inventory.StockLevel },
      },
    },
    async (request) => {
      // PostgreSQL answers uuids in lowercase: an id sent in uppercase must be looked up
      // (and answered) in that form, or an existing row is not found and the PUT fails.
      const productId = request.params.productId.toLowerCase();
      const count = await bus.transaction((tx) => operations.setStock(tx, productId, request.body.onHand));
      return toStockLevel(count);
    },
  );

  app.get(
    '/api/v1/inventory/reservations/:orderId',
    {
      config: { ...ADMIN, errors: [ReservationNotFound] },
      schema: {
        tags,
        summary: 'What inventory holds for an order',
        params: OrderParams,
        response: { 200: inventory.Reservation },
      },
    },
    async (request) => {
      const reservation = await reservationStore(pool).find(request.params.orderId);
      if (!reservation) throw new ReservationNotFound(`No reservation for order ${request.params.orderId}`);
      return toReservation(reservation);
    },
  );
}
