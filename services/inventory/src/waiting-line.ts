// The line for held stock (decision 017): an order whose units are all on the shelf
// but held by orders still in flight waits for them instead of being turned away.
// Whenever stock comes free or leaves the shelf, the line moves in the same
// transaction, and each order served or refused is answered as it was asked: a
// reply to the saga's command (same causation and correlation ids) or a fact.
import type { Tx } from '@platform/chassis';
import type { EventData, eventSchemas } from '@platform/contracts';
import { INSUFFICIENT_STOCK, WAITED_TOO_LONG } from './domain/reservation.ts';
import { combineLines, moveLine, type StockCount } from './domain/stock.ts';
import { type AnswerTo, reservationStore } from './reservation-store.ts';
import { stockStore } from './stock-store.ts';

type LineTx = Pick<Tx<typeof eventSchemas>, 'query' | 'publish'>;
type Answer =
  | { type: 'inventory.stock.reserved'; data: EventData<'inventory.stock.reserved'> }
  | { type: 'inventory.stock.reservation-failed'; data: EventData<'inventory.stock.reservation-failed'> };
type Announce = (before: ReadonlyMap<string, StockCount>, after: readonly StockCount[]) => Promise<void>;

function answer(tx: LineTx, to: AnswerTo | null, message: Answer) {
  return tx.publish({
    ...message,
    subject: message.data.orderId,
    ...(to ? { causationId: to.causationId } : {}),
    ...(to?.correlationId ? { correlationId: to.correlationId } : {}),
  });
}

/** After stock changed for `productIds` (rows locked with `stockStore.lockWithLine`): serves or refuses who waits for it. */
export async function moveLineFor(tx: LineTx, productIds: readonly string[], announce: Announce) {
  const reservations = reservationStore(tx);
  const waiting = await reservations.lockLine(productIds);
  if (waiting.length === 0) return;
  const stock = stockStore(tx);
  const before = await stock.lock([...new Set(waiting.flatMap((w) => w.lines.map((l) => l.productId)))]);
  const { served, refused } = moveLine(waiting, before);
  if (served.length > 0) {
    const taken = combineLines(served.flatMap((waiter) => waiter.lines));
    const after = await stock.apply(
      taken.map((line) => ({ productId: line.productId, onHand: 0, reserved: line.quantity })),
    );
    await announce(before, after);
  }
  for (const { orderId, lines, until, answerTo } of served) {
    await reservations.settle(orderId, 'RESERVED');
    await answer(tx, answerTo, {
      type: 'inventory.stock.reserved',
      data: { orderId, lines, expiresAt: until },
    });
  }
  const answerTo = new Map(waiting.map((waiter) => [waiter.orderId, waiter.answerTo]));
  for (const { orderId, shortages } of refused) {
    await reservations.settle(orderId, 'REJECTED', {
      reason: INSUFFICIENT_STOCK,
      shortages,
      clearExpiry: true,
    });
    await answer(tx, answerTo.get(orderId) ?? null, {
      type: 'inventory.stock.reservation-failed',
      data: { orderId, reason: INSUFFICIENT_STOCK, shortages },
    });
  }
}

/** Refuses up to `limit` orders that waited in line past their deadline; how many. */
export async function refuseLapsedWaiters(tx: LineTx, limit: number): Promise<number> {
  const reservations = reservationStore(tx);
  const lapsed = await reservations.lockWaitedTooLong(limit);
  for (const { orderId, answerTo } of lapsed) {
    await reservations.settle(orderId, 'REJECTED', { reason: WAITED_TOO_LONG, clearExpiry: true });
    await answer(tx, answerTo, {
      type: 'inventory.stock.reservation-failed',
      data: { orderId, reason: WAITED_TOO_LONG, shortages: [] },
    });
  }
  return lapsed.length;
}
