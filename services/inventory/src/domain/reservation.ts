// A reservation's life, without I/O:
//   (none) --reserve--> RESERVED --commit--> COMMITTED
//   (none) --reserve, short--> REJECTED (the shelf cannot cover it)
//   (none) --reserve, units held by others--> WAITING --units freed--> RESERVED
//   WAITING --units sold, or past expires_at--> REJECTED;  WAITING --release--> RELEASED
//   (none) --release--> RELEASED (a tombstone: a later reserve is refused)
//   RESERVED --release--> RELEASED (stock unreserved)
//   COMMITTED --release--> RELEASED (goods return to the shelf)
//   RESERVED --past expires_at--> EXPIRED (stock unreserved) --commit--> COMMITTED if stock allows
import type { Shortage, StockLine } from './stock.ts';

export type ReservationStatus = 'RESERVED' | 'WAITING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'REJECTED';

export const ORDER_CANCELLED = 'order cancelled';
export const RESERVATION_EXPIRED = 'reservation expired';
export const INSUFFICIENT_STOCK = 'insufficient stock';
export const EXPIRED = 'expired';
export const WAITED_TOO_LONG = 'no stock came free in time';

export interface ReservationState {
  orderId: string;
  status: ReservationStatus;
  lines: StockLine[];
  shortages: Shortage[];
  expiresAt: Date | null;
  reason: string | null;
}

/** What a reserve is answered: reserved, in line until `until` (by then served or refused), or refused. */
export type ReserveAnswer =
  | { outcome: 'reserved'; orderId: string; lines: StockLine[]; expiresAt: string }
  | { outcome: 'waiting'; orderId: string; lines: StockLine[]; until: string }
  | { outcome: 'refused'; orderId: string; reason: string; shortages: Shortage[] };

/** The answer a repeated reserve gets: the first outcome, or a refusal once the order is over. */
export function answerForExisting(state: ReservationState): ReserveAnswer {
  const { orderId } = state;
  const expiresAt = (state.expiresAt ?? new Date(0)).toISOString();
  switch (state.status) {
    case 'RESERVED':
    case 'COMMITTED':
      return { outcome: 'reserved', orderId, lines: state.lines, expiresAt };
    case 'WAITING':
      return { outcome: 'waiting', orderId, lines: state.lines, until: expiresAt };
    case 'REJECTED':
      return {
        outcome: 'refused',
        orderId,
        reason: state.reason ?? INSUFFICIENT_STOCK,
        shortages: state.shortages,
      };
    case 'RELEASED':
      return { outcome: 'refused', orderId, reason: ORDER_CANCELLED, shortages: [] };
    case 'EXPIRED':
      return { outcome: 'refused', orderId, reason: RESERVATION_EXPIRED, shortages: [] };
  }
}

/** What releasing does: unreserve the stock, put it back on the shelf, take a waiter out of line, or nothing. */
export type ReleaseEffect = 'unreserve' | 'restock' | 'leave-line' | 'none';

export function releaseEffect(status: ReservationStatus): ReleaseEffect {
  if (status === 'RESERVED') return 'unreserve';
  if (status === 'COMMITTED') return 'restock';
  if (status === 'WAITING') return 'leave-line';
  return 'none';
}

/**
 * What committing does: take the reserved stock off the shelf, take it again after an
 * expiry, nothing for a repeat, or refuse (a released, rejected or waiting order has nothing to ship).
 */
export type CommitEffect = 'take-reserved' | 'take-again' | 'none' | 'refuse';

export function commitEffect(status: ReservationStatus | undefined): CommitEffect {
  switch (status) {
    case 'RESERVED':
      return 'take-reserved';
    case 'EXPIRED':
      return 'take-again';
    case 'COMMITTED':
      return 'none';
    default:
      return 'refuse';
  }
}
