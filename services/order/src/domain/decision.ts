// What one move of an order commits, whoever decided it (placing it, the saga,
// choreography, the parcel's news): the doorway (`commit.ts`) records exactly this.
import type { Announcement, Choreography } from './choreography.ts';
import type { OrderEvent } from './order.ts';
import type { Awaiting, SagaState } from './saga.ts';

/**
 * When the saga's next answer is overdue: a step's full timeout from now (`restart`),
 * never (`clear`), as it was (`keep`), or a step's timeout after a participant's
 * promised time (`until`: inventory answers an order in line by then).
 */
export type Deadline = 'restart' | 'clear' | 'keep' | { until: string };

/** `deadline` as milliseconds from `now` (null: none; `keep`: unchanged). */
export function dueIn(deadline: Deadline, stepTimeoutMs: number, now: number): number | null | 'keep' {
  if (typeof deadline === 'object') return Math.max(0, Date.parse(deadline.until) - now) + stepTimeoutMs;
  return { restart: stepTimeoutMs, clear: null, keep: 'keep' as const }[deadline];
}

/** The saga's row after a move: its state, the commands whose answer it awaits, its deadline. */
export type SagaRecord = (
  | { mode: 'orchestration'; state: SagaState; awaiting: Awaiting }
  | { mode: 'choreography'; state: Choreography }
) & { dueInMs: number | null | 'keep' };

export interface OrderDecision {
  /** What happened to the order, in order; none leaves the order and its projection alone. */
  events: OrderEvent[];
  /** The saga's row as it is after this move; absent, it is not touched. */
  saga?: SagaRecord;
  /** What choreography tells the others beyond the facts of `events`. */
  announce?: Announcement | null;
}
