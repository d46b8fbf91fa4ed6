// The inventory's operations, each in the caller's transaction. Both saga adapters
// (commands and facts) and the HTTP routes call these, so the rules live in one place.
import type { Logger, Tx } from '@platform/chassis';
import type { EventData, eventSchemas } from '@platform/contracts';
import {
  answerForExisting,
  commitEffect,
  EXPIRED,
  INSUFFICIENT_STOCK,
  type ReserveAnswer,
  releaseEffect,
} from './domain/reservation.ts';
import {
  combineLines,
  lowStockCrossings,
  type StockCount,
  shortagesFor,
  standingOf,
} from './domain/stock.ts';
import { StockBelowReserved } from './errors.ts';
import { type AnswerTo, reservationStore } from './reservation-store.ts';
import { stockStore } from './stock-store.ts';
import { moveLineFor, refuseLapsedWaiters } from './waiting-line.ts';

/** What the operations need of a transaction: SQL, and publishing through the outbox. */
export type InventoryTx = Pick<Tx<typeof eventSchemas>, 'query' | 'publish'>;

export type StockOperations = ReturnType<typeof stockOperations>;

export function stockOperations(settings: { lowStockThreshold: number; log: Logger }) {
  const { log } = settings;

  async function announceLowStock(
    tx: InventoryTx,
    before: ReadonlyMap<string, StockCount>,
    after: readonly StockCount[],
  ): Promise<void> {
    for (const alert of lowStockCrossings(before, after, settings.lowStockThreshold)) {
      await tx.publish({ type: 'inventory.stock.low', subject: alert.productId, data: alert });
    }
  }

  /** After stock came free or left the shelf: serves or refuses the orders waiting for it. */
  function moveLine(tx: InventoryTx, productIds: readonly string[]): Promise<void> {
    return moveLineFor(tx, productIds, (before, after) => announceLowStock(tx, before, after));
  }

  /**
   * Reserves every line or none; if the shelf holds them but other orders hold the
   * units, the order waits in line until `expiresAt` (answered then by the line's
   * move, to `answerTo`). The order's row is claimed first, so a repeat (or a
   * concurrent duplicate) gets the first outcome, and a tombstone refuses the reserve.
   */
  async function reserveStock(
    tx: InventoryTx,
    command: EventData<'inventory.reserve-stock'>,
    answerTo?: AnswerTo,
  ): Promise<ReserveAnswer> {
    const { orderId, lines } = command;
    const expiresAt = new Date(command.expiresAt).toISOString();
    const reservations = reservationStore(tx);
    const claimed = await reservations.claim(orderId, 'RESERVED', {
      lines,
      expiresAt,
      reason: null,
      ...(answerTo ? { answerTo } : {}),
    });
    if (!claimed) {
      const existing = await reservations.find(orderId);
      if (!existing) throw new Error(`reservation for order ${orderId} conflicted but cannot be read`);
      return answerForExisting(existing);
    }
    const needed = combineLines(lines);
    const stock = stockStore(tx);
    const before = await stock.lock(needed.map((line) => line.productId));
    const standing = standingOf(needed, before);
    if (standing === 'wait') {
      await reservations.settle(orderId, 'WAITING');
      return { outcome: 'waiting', orderId, lines, until: expiresAt };
    }
    if (standing === 'refuse') {
      const shortages = shortagesFor(needed, before);
      await reservations.settle(orderId, 'REJECTED', {
        reason: INSUFFICIENT_STOCK,
        shortages,
        clearExpiry: true,
      });
      return { outcome: 'refused', orderId, reason: INSUFFICIENT_STOCK, shortages };
    }
    const after = await stock.apply(
      needed.map((line) => ({ productId: line.productId, onHand: 0, reserved: line.quantity })),
    );
    await announceLowStock(tx, before, after);
    return { outcome: 'reserved', orderId, lines, expiresAt };
  }

  /**
   * Gives an order's stock back (unreserved, or returned to the shelf after a commit)
   * to the orders waiting for it, or takes the order out of the line. An unknown order
   * gets a RELEASED tombstone, so a reserve arriving later is refused.
   */
  async function releaseStock(
    tx: InventoryTx,
    orderId: string,
    reason: string,
  ): Promise<EventData<'inventory.stock.released'>> {
    const reservations = reservationStore(tx);
    if (await reservations.claim(orderId, 'RELEASED', { lines: [], expiresAt: null, reason })) {
      return { orderId, reason };
    }
    const existing = await reservations.find(orderId, { lock: true });
    if (!existing) throw new Error(`reservation for order ${orderId} conflicted but cannot be read`);
    const effect = releaseEffect(existing.status);
    if (effect === 'none') return { orderId, reason };
    if (effect === 'leave-line') {
      await reservations.settle(orderId, 'RELEASED', { reason, clearExpiry: true });
      return { orderId, reason };
    }
    const needed = combineLines(existing.lines);
    const products = needed.map((line) => line.productId);
    const stock = stockStore(tx);
    await stock.lockWithLine({ products });
    await stock.apply(
      needed.map(({ productId, quantity }) =>
        effect === 'unreserve'
          ? { productId, onHand: 0, reserved: -quantity }
          : { productId, onHand: quantity, reserved: 0 },
      ),
    );
    await reservations.settle(orderId, 'RELEASED', { reason, clearExpiry: true });
    await moveLine(tx, products);
    return { orderId, reason };
  }

  /**
   * Takes an order's reserved stock off the shelf (it ships). After an expiry the stock
   * is taken again if it is there; if not, this throws, so the bus retries and, in the
   * end, dead-letters the command for an operator.
   */
  async function commitStock(
    tx: InventoryTx,
    orderId: string,
  ): Promise<EventData<'inventory.stock.committed'>> {
    const reservations = reservationStore(tx);
    const existing = await reservations.find(orderId, { lock: true });
    const effect = commitEffect(existing?.status);
    if (effect === 'none') return { orderId };
    if (effect === 'refuse' || !existing) {
      log.error({ orderId, status: existing?.status ?? null }, 'commit refused: the order holds no stock');
      throw new Error(`cannot commit stock for order ${orderId}: ${existing?.status ?? 'no reservation'}`);
    }
    const needed = combineLines(existing.lines);
    const products = needed.map((line) => line.productId);
    const stock = stockStore(tx);
    const before = await stock.lockWithLine({ products });
    if (effect === 'take-again') {
      const shortages = shortagesFor(needed, before);
      if (shortages.length > 0) {
        log.error({ orderId, shortages }, 'commit after expiry: the stock is gone; will retry');
        throw new Error(
          `cannot commit stock for order ${orderId}: its reservation expired and stock ran out`,
        );
      }
      const after = await stock.apply(
        needed.map((line) => ({ productId: line.productId, onHand: -line.quantity, reserved: 0 })),
      );
      await announceLowStock(tx, before, after);
    } else {
      await stock.apply(
        needed.map((line) => ({
          productId: line.productId,
          onHand: -line.quantity,
          reserved: -line.quantity,
        })),
      );
    }
    await reservations.settle(orderId, 'COMMITTED', { clearExpiry: true });
    // Units left the shelf: whoever waits for more than is left now is refused.
    await moveLine(tx, products);
    return { orderId };
  }

  /**
   * Locks, in product-id order, every stock row that a batch of operations on `orders`
   * (and new reservations of `products`) may touch, with the rows of whoever waits for
   * them: batches that share products then queue for them instead of deadlocking.
   */
  async function lockForBatch(
    tx: InventoryTx,
    touched: { products: readonly string[]; orders: readonly string[] },
  ): Promise<void> {
    if (touched.products.length > 0 || touched.orders.length > 0) await stockStore(tx).lockWithLine(touched);
  }

  /**
   * Expires up to `limit` lapsed reservations, giving their stock to the line, and
   * refuses up to `limit` orders that waited in line too long; how many of both.
   */
  async function expireDue(tx: InventoryTx, limit: number): Promise<number> {
    const refused = await refuseLapsedWaiters(tx, limit);
    const reservations = reservationStore(tx);
    const due = await reservations.lockDue(limit);
    if (due.length === 0) return refused;
    const needed = combineLines(due.flatMap((reservation) => reservation.lines));
    const products = needed.map((line) => line.productId);
    const stock = stockStore(tx);
    await stock.lockWithLine({ products });
    await stock.apply(
      needed.map((line) => ({ productId: line.productId, onHand: 0, reserved: -line.quantity })),
    );
    await reservations.markExpired(
      due.map((reservation) => reservation.orderId),
      EXPIRED,
    );
    for (const { orderId } of due) {
      await tx.publish({
        type: 'inventory.stock.released',
        subject: orderId,
        data: { orderId, reason: EXPIRED },
      });
    }
    await moveLine(tx, products);
    return refused + due.length;
  }

  /** Sets what is on the shelf (creating the row), and moves the line; refused below what is reserved. */
  async function setStock(tx: InventoryTx, productId: string, onHand: number): Promise<StockCount> {
    const stock = stockStore(tx);
    if ((await stock.addMissing([productId], onHand)) > 0) return { productId, onHand, reserved: 0 };
    const before = await stock.lockWithLine({ products: [productId] });
    const current = before.get(productId);
    if (!current) throw new Error(`stock row ${productId} was deleted while being set`);
    if (onHand < current.reserved) {
      throw new StockBelowReserved(`${current.reserved} units are reserved; on hand cannot be ${onHand}`, {
        extensions: { reserved: current.reserved },
      });
    }
    const after = await stock.setOnHand(productId, onHand);
    await announceLowStock(tx, before, [after]);
    await moveLine(tx, [productId]);
    return (await stock.find(productId)) ?? after;
  }

  return { reserveStock, releaseStock, commitStock, lockForBatch, expireDue, setStock };
}
