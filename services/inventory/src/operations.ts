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
import { combineLines, lowStockCrossings, type StockCount, shortagesFor } from './domain/stock.ts';
import { StockBelowReserved } from './errors.ts';
import { reservationStore, stockStore } from './store.ts';

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

  /**
   * Reserves every line or none. The order's row is claimed first, so a repeat (or a
   * concurrent duplicate) gets the first outcome, and a tombstone refuses the reserve.
   */
  async function reserveStock(
    tx: InventoryTx,
    command: EventData<'inventory.reserve-stock'>,
  ): Promise<ReserveAnswer> {
    const { orderId, lines } = command;
    const expiresAt = new Date(command.expiresAt).toISOString();
    const reservations = reservationStore(tx);
    const claimed = await reservations.claim(orderId, 'RESERVED', { lines, expiresAt, reason: null });
    if (!claimed) {
      const existing = await reservations.find(orderId);
      if (!existing) throw new Error(`reservation for order ${orderId} conflicted but cannot be read`);
      return answerForExisting(existing);
    }
    const needed = combineLines(lines);
    const stock = stockStore(tx);
    const before = await stock.lock(needed.map((line) => line.productId));
    const shortages = shortagesFor(needed, before);
    if (shortages.length > 0) {
      await reservations.settle(orderId, 'REJECTED', {
        reason: INSUFFICIENT_STOCK,
        shortages,
        clearExpiry: true,
      });
      return { reserved: false, orderId, reason: INSUFFICIENT_STOCK, shortages };
    }
    const after = await stock.apply(
      needed.map((line) => ({ productId: line.productId, onHand: 0, reserved: line.quantity })),
    );
    await announceLowStock(tx, before, after);
    return { reserved: true, orderId, lines, expiresAt };
  }

  /**
   * Gives an order's stock back: unreserved, or returned to the shelf after a commit.
   * An unknown order gets a RELEASED tombstone, so a reserve arriving later is refused.
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
    const needed = combineLines(existing.lines);
    const stock = stockStore(tx);
    await stock.lock(needed.map((line) => line.productId));
    await stock.apply(
      needed.map(({ productId, quantity }) =>
        effect === 'unreserve'
          ? { productId, onHand: 0, reserved: -quantity }
          : { productId, onHand: quantity, reserved: 0 },
      ),
    );
    await reservations.settle(orderId, 'RELEASED', { reason, clearExpiry: true });
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
    const stock = stockStore(tx);
    const before = await stock.lock(needed.map((line) => line.productId));
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
    return { orderId };
  }

  /** Expires up to `limit` lapsed reservations, giving their stock back; how many it expired. */
  async function expireDue(tx: InventoryTx, limit: number): Promise<number> {
    const reservations = reservationStore(tx);
    const due = await reservations.lockDue(limit);
    if (due.length === 0) return 0;
    const needed = combineLines(due.flatMap((reservation) => reservation.lines));
    const stock = stockStore(tx);
    await stock.lock(needed.map((line) => line.productId));
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
    return due.length;
  }

  /** Sets what is on the shelf (creating the row); refused below what is reserved. */
  async function setStock(tx: InventoryTx, productId: string, onHand: number): Promise<StockCount> {
    const stock = stockStore(tx);
    if ((await stock.addMissing([productId], onHand)) > 0) return { productId, onHand, reserved: 0 };
    const before = await stock.lock([productId]);
    const current = before.get(productId);
    if (!current) throw new Error(`stock row ${productId} was deleted while being set`);
    if (onHand < current.reserved) {
      throw new StockBelowReserved(`${current.reserved} units are reserved; on hand cannot be ${onHand}`, {
        extensions: { reserved: current.reserved },
      });
    }
    const after = await stock.setOnHand(productId, onHand);
    await announceLowStock(tx, before, [after]);
    return after;
  }

  return { reserveStock, releaseStock, commitStock, expireDue, setStock };
}
