// The inventory's message adapters. Orchestration answers the order saga's commands;
// choreography reacts to other services' facts. Both call the same operations.
import type { Bus, Envelope, Logger } from '@platform/chassis';
import type { EventData, EventType, eventSchemas } from '@platform/contracts';
import type { ReserveAnswer } from './domain/reservation.ts';
import type { InventoryTx, StockOperations } from './operations.ts';
import { stockStore } from './stock-store.ts';

type InventoryBus = Bus<typeof eventSchemas>;

/** The event's data under its contract (the bus has already checked it against the schema). */
function dataOf<T extends EventType>(event: Envelope, type: T): EventData<T> {
  if (event.type !== type) throw new Error(`expected ${type}, got ${event.type}`);
  return event.data as EventData<T>;
}

function reservationMessage(answer: ReserveAnswer) {
  const { orderId } = answer;
  switch (answer.outcome) {
    case 'reserved':
      return {
        type: 'inventory.stock.reserved' as const,
        data: { orderId, lines: answer.lines, expiresAt: answer.expiresAt },
      };
    case 'waiting':
      return {
        type: 'inventory.stock.waiting' as const,
        data: { orderId, lines: answer.lines, until: answer.until },
      };
    case 'refused':
      return {
        type: 'inventory.stock.reservation-failed' as const,
        data: { orderId, reason: answer.reason, shortages: answer.shortages },
      };
  }
}

/** Where an answer given later (by the line's move) goes: to whoever asked, as `tx.reply` would. */
const askedBy = (event: Envelope) => ({ causationId: event.id, correlationId: event.correlationid });

/**
 * The stock an event may move: the products a reservation names (a reserve), or the
 * order whose reservation it settles (every other command or fact).
 */
function touchedBy(events: Envelope[]): { products: string[]; orders: string[] } {
  const products: string[] = [];
  const orders: string[] = [];
  for (const event of events) {
    if (event.type === 'inventory.reserve-stock') {
      products.push(...dataOf(event, 'inventory.reserve-stock').lines.map((line) => line.productId));
    } else if (event.type === 'order.created') {
      products.push(...dataOf(event, 'order.created').items.map((item) => item.productId));
    } else {
      const { orderId } = event.data as { orderId?: unknown };
      if (typeof orderId === 'string') orders.push(orderId);
    }
  }
  return { products, orders };
}

// Every effect of these handlers is in their transaction: events that arrive together
// may share one (docs/messaging.md, batches). Events of one batch touch many products
// in no particular order, so the batch locks them all first, in product order. One
// batch at a time: batches lock the same few stock rows (the products that sell), so
// two at once would only wait on each other's locks; what arrives meanwhile gathers
// into the next batch.
const batched = (operations: StockOperations) => ({
  maxBatch: 32,
  concurrency: 1,
  lockBatch: (tx: InventoryTx, events: Envelope[]) => operations.lockForBatch(tx, touchedBy(events)),
});

const COMMANDS: EventType[] = [
  'inventory.reserve-stock',
  'inventory.release-stock',
  'inventory.commit-stock',
];

/** Orchestration: each command gets its reply, with the command's correlation id and subject. */
export async function answerCommands(bus: InventoryBus, operations: StockOperations): Promise<void> {
  await bus.subscribe(
    'inventory-commands',
    COMMANDS,
    async (event, { tx }) => {
      switch (event.type) {
        case 'inventory.reserve-stock': {
          const answer = await operations.reserveStock(
            tx,
            dataOf(event, 'inventory.reserve-stock'),
            askedBy(event),
          );
          await tx.reply(event, reservationMessage(answer));
          return;
        }
        case 'inventory.release-stock': {
          const { orderId, reason } = dataOf(event, 'inventory.release-stock');
          const released = await operations.releaseStock(tx, orderId, reason);
          await tx.reply(event, { type: 'inventory.stock.released', data: released });
          return;
        }
        case 'inventory.commit-stock': {
          const { orderId } = dataOf(event, 'inventory.commit-stock');
          const committed = await operations.commitStock(tx, orderId);
          await tx.reply(event, { type: 'inventory.stock.committed', data: committed });
          return;
        }
      }
    },
    batched(operations),
  );
}

const FACTS: EventType[] = [
  'order.created',
  'payment.failed',
  'shipping.failed',
  // The order's timeout and its customer's cancel come through shipping, which may refuse them.
  'shipping.cancelled',
  'shipping.scheduled',
];

/** Why stock is released in reaction to `event`, or undefined if the event does not release. */
function releaseReason(event: Envelope): { orderId: string; reason: string } | undefined {
  switch (event.type) {
    case 'payment.failed': {
      const { orderId, code } = dataOf(event, 'payment.failed');
      return { orderId, reason: `payment failed: ${code}` };
    }
    case 'shipping.failed':
      return { orderId: dataOf(event, 'shipping.failed').orderId, reason: 'shipping failed' };
    case 'shipping.cancelled':
      return { orderId: dataOf(event, 'shipping.cancelled').orderId, reason: 'shipment cancelled' };
    default:
      return undefined;
  }
}

/** Choreography: reserve for a new order, release when it fails, commit when it ships. */
export async function reactToFacts(
  bus: InventoryBus,
  operations: StockOperations,
  settings: { reservationTtlMs: number },
): Promise<void> {
  await bus.subscribe(
    'inventory-choreography',
    FACTS,
    async (event, { tx }) => {
      if (event.type === 'order.created') {
        const { orderId, items } = dataOf(event, 'order.created');
        const answer = await operations.reserveStock(
          tx,
          {
            orderId,
            lines: items.map(({ productId, quantity }) => ({ productId, quantity })),
            expiresAt: new Date(Date.now() + settings.reservationTtlMs).toISOString(),
          },
          askedBy(event),
        );
        await tx.publish({ ...reservationMessage(answer), subject: orderId });
        return;
      }
      if (event.type === 'shipping.scheduled') {
        const { orderId } = dataOf(event, 'shipping.scheduled');
        const committed = await operations.commitStock(tx, orderId);
        await tx.publish({ type: 'inventory.stock.committed', subject: orderId, data: committed });
        return;
      }
      const release = releaseReason(event);
      if (!release) return;
      const released = await operations.releaseStock(tx, release.orderId, release.reason);
      await tx.publish({ type: 'inventory.stock.released', subject: release.orderId, data: released });
    },
    batched(operations),
  );
}

/** Keeps a stock row per catalog product: added when created, removed when deleted (unless reserved). */
export async function followCatalog(
  bus: InventoryBus,
  settings: { onHandForNewProducts: number; log: Logger },
): Promise<void> {
  const types: EventType[] = ['catalog.product.created', 'catalog.product.deleted'];
  await bus.subscribe('inventory-catalog', types, async (event, { tx }) => {
    const stock = stockStore(tx);
    if (event.type === 'catalog.product.created') {
      const { productId } = dataOf(event, 'catalog.product.created');
      await stock.addMissing([productId], settings.onHandForNewProducts);
      return;
    }
    const { productId } = dataOf(event, 'catalog.product.deleted');
    if (await stock.removeUnreserved(productId)) return;
    const kept = await stock.find(productId);
    if (kept) {
      settings.log.warn(
        { productId, reserved: kept.reserved },
        'deleted product keeps its stock row: reserved',
      );
    }
  });
}
