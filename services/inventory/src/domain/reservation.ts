// A reservation's life, without I/O:
//   (none) --reserve--> RESERVED --commit--> COMMITTED
//   (none) --reserve, short--> REJECTED
//   (none) --release--> RELEASED (a tombstone: a later reserve is refused)
//   RESERVED --release--> RELEASED (stock unreserved)
//   COMMITTED --release--> RELEASED (goods return to the shelf)
//   RESERVED --past expires_at--> EXPIRED (stock unreserved) --commit--> COMMITTED if stock allows
import type { Shortage, StockLine } from './stock.ts';

export type ReservationStatus = 'RESERVED' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'REJECTED';

export const ORDER_CANCELLED = 'order cancelled';
export const RESERVATION_EXPIRED = 'reservation expired';
export const INSUFFICIENT_STOCK = 'insufficient stock';
export const EXPIRED = 'expired';

export interface ReservationState {
  orderId: string;
  status: ReservationStatus;
  lines: StockLine[];
  shortages: Shortage[];
  expiresAt: Date | null;
  reason: string | null;
}

export type ReserveAnswer =
  | { reserved: true; orderId: string; lines: StockLine[]; expiresAt: string }
  | { reserved: false; orderId: string; reason: string; shortages: Shortage[] };

/** The answer a repeated reserve gets: the first outcome, or a refusal once the order is over. */
export function answerForExisting(state: ReservationState): ReserveAnswer {
  const { orderId } = state;
  switch (state.status) {
    case 'RESERVED':
    case 'COMMITTED':
      return {
        reserved: true,
        orderId,
        lines: state.lines,
        expiresAt: (state.expiresAt ?? new Date(0)).toISOString(),
      };
    case 'REJECTED':
      return {
        reserved: false,
        orderId,
        reason: state.reason ?? INSUFFICIENT_STOCK,
        shortages: state.shortages,
      };
    case 'RELEASED':
      return { reserved: false, orderId, reason: ORDER_CANCELLED, shortages: [] };
    case 'EXPIRED':
      return { reserved: false, orderId, reason: RESERVATION_EXPIRED, shortages: [] };
  }
}

/** What releasing does to the stock: unreserve it, put it back on the shelf, or nothing. */
export type ReleaseEffect = 'unreserve' | 'restock' | 'none';

export function releaseEffect(status: ReservationStatus): ReleaseEffect {
  if (status === 'RESERVED') return 'unreserve';
  if (status === 'COMMITTED') return 'restock';
  return 'none';
}

/**
 * What committing does: take the reserved stock off the shelf, take it again after an
 * expiry, nothing for a repeat, or refuse (a released or rejected order has nothing to ship).
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
