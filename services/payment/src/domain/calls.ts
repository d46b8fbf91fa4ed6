// A call to the card processor, recorded before it is made (decision 022). Pure: no I/O.

import { backoffDelay } from '@platform/chassis/backoff';
import type { Money } from './payment.ts';

interface CallOf<O extends string> {
  operation: O;
  orderId: string;
  /** The payment it moves money for (an authorization's payment takes this id when it settles). */
  paymentId: string;
  /** Sent as the processor's Idempotency-Key, the same on every attempt: derived from the order or refund. */
  idempotencyKey: string;
  amount: Money;
}

/** What an operation asks of the processor, decided under the order's lock. */
export type CallRequest =
  | (CallOf<'authorize'> & { userId: string; paymentMethodId: string })
  | CallOf<'capture'>
  | CallOf<'void'>
  | (CallOf<'refund'> & { refundId: string; reason: string | null });

/** A call as recorded: its id, and which attempt at it this is (1-based). */
export type ProcessorCall = CallRequest & { id: string; attempt: number };

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 30_000;

/**
 * How long a call that could not be made (the processor unreachable) or settled
 * waits before its next attempt: the processor's Retry-After when it gave one, else
 * an exponential step from 250 ms, at most 30 s.
 */
export function retryDelayMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, RETRY_MAX_MS);
  return backoffDelay(attempt, { baseDelayMs: RETRY_BASE_MS, maxDelayMs: RETRY_MAX_MS });
}
