// Choreography (SAGA_MODE=choreography), as pure decisions. No one sends commands:
// inventory and payment react to `order.created` in parallel, shipping books the
// parcel once it has heard of the order, its stock and its payment, and payment and
// inventory finish (capture, commit) when the shipment is booked. The order service
// only follows their facts to keep the order's status and timeline, and speaks twice:
// when it gives up waiting (`order.timed-out`) and when the customer cancels
// (`order.cancel-requested`). Both are undone through shipping, the step that can
// refuse (the parcel may have left): shipping cancels the booking or leaves a
// tombstone and says `shipping.cancelled`, to which payment and inventory react, or
// it says `shipping.cancel-refused` and nothing is undone. So an order is never
// refunded while its parcel travels. The steps and their messages are the
// catalogue's (steps.ts).
import type { OrderEvent } from './order.ts';
import { type Answer, BEFORE_PIVOT, STEPS, type Step } from './steps.ts';

type Outcome = { status: 'REJECTED' | 'CANCELLED'; reason: string };

export interface Choreography {
  /** The steps participants reported done, forward and compensating, as heard. */
  done: Step[];
  /** A timeout or a cancel on its way through shipping; the order becomes `status` once it is undone. */
  undoing: Outcome | null;
  /** The order is REJECTED or CANCELLED: what is heard now only completes its timeline. */
  over: boolean;
  confirmed: boolean;
  /** Inventory put the order in line: the deadline runs to its answer, whatever else is heard. */
  waiting?: boolean;
}

/** What a participant said, in the order's terms. */
export type Fact =
  | { kind: 'succeeded'; step: Step; detail?: string }
  | { kind: 'failed'; step: Step; reason: string }
  | { kind: 'cancel-refused'; reason: string }
  | { kind: 'waiting'; until: string };

export type Announcement =
  | { type: 'order.timed-out'; step: Step }
  | { type: 'order.cancel-requested'; reason: string };

export interface FollowDecision {
  state: Choreography;
  events: OrderEvent[];
  /** A fact of the order's own for the others to react to, if any. */
  announce: Announcement | null;
  /**
   * The deadline of the steps before the pivot: restarted on progress, cleared once past
   * it or over, or moved to when inventory must answer an order it put in line.
   */
  deadline: 'restart' | 'clear' | 'keep' | { until: string };
}

/** What the order becomes when `step` fails or stays silent before the pivot. */
const failsAs = (step: Step): Outcome['status'] => STEPS[step].failsAs ?? 'CANCELLED';
/** The step a compensation undoes. */
const undoneBy = (compensation: Step): Step | undefined =>
  BEFORE_PIVOT.find((step) => STEPS[step].undoneBy === compensation);

/**
 * A participant's answer as a fact about the order. Nobody asked for an undo here, so
 * the timeline says how the payment service undid a payment (`note`).
 */
export function factOf(answer: Answer): Fact {
  switch (answer.said) {
    case 'done': {
      const detail = answer.detail ?? answer.note;
      return { kind: 'succeeded', step: answer.step, ...(detail ? { detail } : {}) };
    }
    case 'waiting':
      return { kind: 'waiting', until: answer.until };
    case 'failed':
      // Shipping refusing to cancel is the one compensation that can fail: the parcel has left.
      return answer.step === 'cancel-shipment'
        ? { kind: 'cancel-refused', reason: answer.reason }
        : { kind: 'failed', step: answer.step, reason: answer.reason };
  }
}

const nothing = (state: Choreography): FollowDecision => ({
  state,
  events: [],
  announce: null,
  deadline: 'keep',
});

function finalEvent(outcome: Outcome): OrderEvent {
  return outcome.status === 'REJECTED'
    ? { type: 'OrderRejected', data: { reason: outcome.reason } }
    : { type: 'OrderCancelled', data: { reason: outcome.reason } };
}

export function startFollowing(): FollowDecision {
  return {
    state: { done: [], undoing: null, over: false, confirmed: false },
    events: [],
    announce: null,
    deadline: 'restart',
  };
}

function succeeded(state: Choreography, step: Step, detail?: string): FollowDecision {
  if (state.done.includes(step)) return nothing(state);
  const recorded: OrderEvent = { type: 'StepSucceeded', data: { step, ...(detail ? { detail } : {}) } };
  const undone = undoneBy(step);
  if (undone) {
    if (step === 'cancel-shipment' && state.undoing && !state.over) {
      // Shipping let go: the order is undone, payment and inventory follow shipping's fact.
      const events: OrderEvent[] = [
        state.done.includes('schedule-shipment')
          ? recorded
          : { type: 'StepSucceeded', data: { step, detail: 'no shipment was booked' } },
        finalEvent(state.undoing),
      ];
      return {
        state: { ...state, done: [...state.done, step], over: true },
        events,
        announce: null,
        deadline: 'clear',
      };
    }
    // Compensations complete the timeline of an order being undone; otherwise (an
    // administrator's refund, a tombstone for a step never taken) they are not ours.
    if (!(state.over || state.undoing) || !state.done.includes(undone)) return nothing(state);
    return {
      state: { ...state, done: [...state.done, step] },
      events: [recorded],
      announce: null,
      deadline: 'keep',
    };
  }
  const done = [...state.done, step];
  const events: OrderEvent[] = [recorded];
  if (state.over) return { state: { ...state, done }, events, announce: null, deadline: 'keep' };
  const confirmed = done.includes('capture-payment') && done.includes('commit-stock');
  // An order being undone is not confirmed by steps that overtook the undo (a booking
  // made before shipping heard of a timeout): unless shipping refuses the undo.
  if (confirmed && !state.confirmed && !state.undoing) events.push({ type: 'OrderConfirmed', data: {} });
  const pastPivot = done.includes('schedule-shipment');
  // In line for stock, a payment heard meanwhile must not cut the wait short.
  const waiting = Boolean(state.waiting) && step !== 'reserve-stock';
  return {
    state: { ...state, done, confirmed: state.confirmed || (confirmed && !state.undoing), waiting },
    events,
    announce: null,
    deadline: pastPivot ? 'clear' : waiting ? 'keep' : 'restart',
  };
}

/** Inventory put the order in line for units other orders hold: its answer comes by `until`. */
function waitingForStock(state: Choreography, until: string): FollowDecision {
  if (state.over || state.undoing || state.done.includes('reserve-stock')) return nothing(state);
  return {
    state: { ...state, waiting: true },
    events: [{ type: 'StepWaiting', data: { step: 'reserve-stock' } }],
    announce: null,
    deadline: { until },
  };
}

/** One participant's fact about this order. */
export function factHeard(state: Choreography, fact: Fact): FollowDecision {
  switch (fact.kind) {
    case 'succeeded':
      return succeeded(state, fact.step, fact.detail);
    case 'waiting':
      return waitingForStock(state, fact.until);
    case 'failed': {
      const failed: OrderEvent = { type: 'StepFailed', data: { step: fact.step, reason: fact.reason } };
      if (state.over) return { state, events: [failed], announce: null, deadline: 'keep' };
      // The others heard the failure too and undo their part; a cancel under way gives its reason.
      const outcome = state.undoing ?? { status: failsAs(fact.step), reason: fact.reason };
      return {
        state: { ...state, over: true },
        events: [failed, finalEvent(outcome)],
        announce: null,
        deadline: 'clear',
      };
    }
    case 'cancel-refused': {
      if (!state.undoing || state.over) return nothing(state);
      // The parcel has left: nothing is undone, and the order goes on to delivery.
      const events: OrderEvent[] = [{ type: 'CancellationRefused', data: { reason: fact.reason } }];
      const finished = state.done.includes('capture-payment') && state.done.includes('commit-stock');
      if (finished && !state.confirmed) events.push({ type: 'OrderConfirmed', data: {} });
      return {
        state: { ...state, undoing: null, confirmed: state.confirmed || finished },
        events,
        announce: null,
        deadline: 'clear',
      };
    }
  }
}

/** Nothing moved before the deadline: give up on the first step not heard, through shipping. */
export function deadlinePassed(state: Choreography): FollowDecision {
  const step = BEFORE_PIVOT.find((candidate) => !state.done.includes(candidate));
  if (state.over || state.undoing || !step) {
    return { ...nothing(state), deadline: 'clear' };
  }
  return {
    state: { ...state, undoing: { status: failsAs(step), reason: `${step} timed out` } },
    events: [{ type: 'StepTimedOut', data: { step } }],
    announce: { type: 'order.timed-out', step },
    deadline: 'clear',
  };
}

/** A customer's cancel: asked of shipping first, since only shipping knows whether the parcel left. */
export function cancelAsked(state: Choreography, reason: string): FollowDecision | 'too-late' {
  if (state.over || state.undoing) return 'too-late';
  return {
    state: { ...state, undoing: { status: 'CANCELLED', reason } },
    events: [{ type: 'CancellationRequested', data: { reason } }],
    announce: { type: 'order.cancel-requested', reason },
    deadline: 'keep',
  };
}
