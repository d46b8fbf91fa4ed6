// What counts as an error. Any 429, 5xx, timeout or lost connection is one, and so is
// a 4xx the step did not declare (a bug in the mix or in the platform), unless the
// step lists that status as expected. A declined card or a sold-out product ending
// REJECTED is a journey's expected outcome when its order-status step expects it.
import type { OrderStatus, RouteClass, Step } from './mix.ts';

export const ERROR_KINDS = [
  'timeout',
  'connection',
  'rate-limited',
  'server-error',
  'client-error',
  'unexpected-status',
  'unexpected-outcome',
  'unfinished-order',
  'loadgen-saturated',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What each route class answers when all is well. */
const SUCCESS: Record<RouteClass, readonly number[]> = {
  'browse-category': [200],
  search: [200],
  product: [200, 304],
  availability: [200],
  'sign-in': [200],
  'cart-add': [200],
  'cart-view': [200],
  checkout: [202],
  'order-status': [200],
};

/** undici's codes for an answer that did not come in time (headers, or the body stalled). */
const TIMEOUTS: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The error an answer is, or undefined if it is what the step wanted. `status` is 0
 * when no answer came; `failure` is then the error's code.
 */
export function classifyAnswer(
  routeClass: RouteClass,
  status: number,
  failure: string | undefined,
  expected: readonly number[],
): ErrorKind | undefined {
  if (status === 0) return failure && TIMEOUTS.has(failure) ? 'timeout' : 'connection';
  if (SUCCESS[routeClass].includes(status) || expected.includes(status)) return undefined;
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'client-error';
  return 'unexpected-status';
}

export type OrderProgress =
  | { state: 'waiting' }
  | {
      state: 'ended';
      status: OrderStatus | string;
      error?: 'unexpected-outcome' | 'unfinished-order';
      /** The order's reason, for an error's sample. */
      detail?: string;
    };

/**
 * Where an order followed by an order-status step stands: still on its way, at an end
 * the step expects, at another end (an error), or not ended when the step gives up.
 */
export function followOrder(
  step: Step & { do: 'order-status' },
  status: OrderStatus | string,
  followedForMs: number,
): OrderProgress {
  if ((step.until as string[]).includes(status)) {
    return (step.expect as string[]).includes(status)
      ? { state: 'ended', status }
      : { state: 'ended', status, error: 'unexpected-outcome' };
  }
  if (followedForMs >= step.giveUpAfterMs) return { state: 'ended', status, error: 'unfinished-order' };
  return { state: 'waiting' };
}
