// The checkout saga, as pure decisions: given where the saga is and what just
// happened, which order events to record and which command to send next. Each
// completed step pushes its compensation to the front of a list; failure runs that
// list, one compensation at a time, each retried until it is acknowledged. The steps
// themselves (order, undo, failure status) are the catalogue's (steps.ts).
import type { Deadline } from './decision.ts';
import type { OrderEvent, OrderStatus } from './order.ts';
import { FORWARD, isAfterPivot, STEPS, type Step } from './steps.ts';

export type Phase = 'forward' | 'compensating' | 'confirmed' | 'done';

export interface SagaState {
  phase: Phase;
  /** The step whose reply is awaited, if any. */
  step: Step | null;
  compensations: Step[];
  /** What the order becomes once compensation is over. */
  outcome: { status: 'REJECTED' | 'CANCELLED'; reason: string } | null;
  /** A customer's cancel that arrived while a forward step was in flight. */
  cancelRequested: string | null;
  /** Inventory put the order in line: the reserve is awaited until its answer is due. */
  waiting?: boolean;
}

export interface Decision {
  saga: SagaState;
  events: OrderEvent[];
  /** The command to send now (with a fresh deadline), if any. */
  send: Step | null;
  /** `send` asks again for the step already awaited: an answer to any ask is its answer. */
  again?: true;
  /** Keep awaiting the same command; its deadline moves to when the participant must answer. */
  wait?: { until: string };
}

/** The commands whose reply answers the awaited step: the last sent, and earlier asks of the same step. */
export interface Awaiting {
  command: string | null;
  earlier: string[];
}

/** Asks of one step remembered; a participant down that long is answered by the newest ones. */
const MAX_EARLIER_ASKS = 50;

export function answersAwaited(awaiting: Awaiting, causationId: string | undefined): boolean {
  if (!causationId) return false;
  return awaiting.command === causationId || awaiting.earlier.includes(causationId);
}

/**
 * What is awaited after `decision`, `sentId` being the id of the command it sent. A
 * step asked again keeps its earlier asks: when a round trip takes longer than the
 * step's deadline, the answer to an earlier ask arrives after the next ask went out,
 * and ignoring it would ask again, forever. A step still in flight with nothing sent
 * (in line for stock, or a cancel waiting for it) keeps its command.
 */
export function nextAwaiting(awaiting: Awaiting, decision: Decision, sentId: string | null): Awaiting {
  if (!decision.send || !sentId) return decision.saga.step ? awaiting : { command: null, earlier: [] };
  const earlier =
    decision.again && awaiting.command
      ? [...awaiting.earlier, awaiting.command].slice(-MAX_EARLIER_ASKS)
      : [];
  return { command: sentId, earlier };
}

/**
 * The deadline after `decision`: a fresh one for a command sent, inventory's promised
 * time for an order in line, unchanged while a step is still in flight, none once
 * nothing is awaited.
 */
export function sagaDeadline(decision: Decision): Deadline {
  if (decision.send) return 'restart';
  if (decision.wait) return { until: decision.wait.until };
  return decision.saga.step ? 'keep' : 'clear';
}

export function startSaga(): Decision {
  return {
    saga: {
      phase: 'forward',
      step: 'reserve-stock',
      compensations: [],
      outcome: null,
      cancelRequested: null,
    },
    events: [],
    send: 'reserve-stock',
  };
}

/** What a failed or silent step makes of the order: a cancel asked meanwhile wins. */
function outcomeOf(saga: SagaState, step: Step, reason: string): NonNullable<SagaState['outcome']> {
  if (saga.cancelRequested) return { status: 'CANCELLED', reason: saga.cancelRequested };
  return { status: STEPS[step].failsAs ?? 'CANCELLED', reason };
}

function compensate(
  saga: SagaState,
  outcome: NonNullable<SagaState['outcome']>,
  events: OrderEvent[],
): Decision {
  const [next, ...rest] = saga.compensations;
  if (!next) {
    const final: OrderEvent =
      outcome.status === 'REJECTED'
        ? { type: 'OrderRejected', data: { reason: outcome.reason } }
        : { type: 'OrderCancelled', data: { reason: outcome.reason } };
    return {
      saga: { ...saga, phase: 'done', step: null, compensations: [], outcome },
      events: [...events, final],
      send: null,
    };
  }
  return {
    saga: { ...saga, phase: 'compensating', step: next, compensations: rest, outcome, waiting: false },
    events,
    send: next,
  };
}

/**
 * The step's undo put first: the step happened, or, awaited (in flight or in line), it
 * may have. Capture and commit have none: the payment's and the stock's undo them.
 */
function withUndoOf(saga: SagaState, step: Step): SagaState {
  const undo = STEPS[step].undoneBy;
  return { ...saga, compensations: undo ? [undo, ...saga.compensations] : saga.compensations };
}

export function stepSucceeded(saga: SagaState, step: Step, detail?: string): Decision {
  const events: OrderEvent[] = [{ type: 'StepSucceeded', data: { step, ...(detail ? { detail } : {}) } }];
  if (saga.phase === 'compensating' && saga.outcome) return compensate(saga, saga.outcome, events);
  const advanced = withUndoOf(saga, step);
  if (saga.cancelRequested) {
    return compensate(advanced, { status: 'CANCELLED', reason: saga.cancelRequested }, events);
  }
  const next = FORWARD[FORWARD.indexOf(step) + 1];
  if (!next) {
    return {
      saga: { ...advanced, phase: 'confirmed', step: null },
      events: [...events, { type: 'OrderConfirmed', data: {} }],
      send: null,
    };
  }
  return { saga: { ...advanced, step: next, waiting: false }, events, send: next };
}

/**
 * Inventory put the order in line for units other orders hold: nothing is asked
 * again, since inventory answers by `until` (served or refused); the step's deadline
 * moves there. A cancel asked meanwhile takes the order out of the line at once.
 */
export function stepWaiting(saga: SagaState, step: Step, until: string): Decision {
  if (saga.phase !== 'forward' || saga.step !== step) return { saga, events: [], send: null };
  const events: OrderEvent[] = [{ type: 'StepWaiting', data: { step } }];
  if (saga.cancelRequested) {
    const outcome = { status: 'CANCELLED' as const, reason: saga.cancelRequested };
    return compensate(withUndoOf(saga, step), outcome, events);
  }
  return { saga: { ...saga, waiting: true }, events, send: null, wait: { until } };
}

export function stepFailed(saga: SagaState, step: Step, reason: string): Decision {
  if (step === 'cancel-shipment') {
    // Too late: the parcel left. The order stays as it was; nothing else is undone.
    return {
      saga: {
        ...saga,
        phase: 'confirmed',
        step: null,
        compensations: [step, ...saga.compensations],
        outcome: null,
      },
      events: [{ type: 'CancellationRefused', data: { reason } }],
      send: null,
    };
  }
  const events: OrderEvent[] = [{ type: 'StepFailed', data: { step, reason } }];
  return compensate(saga, outcomeOf(saga, step, reason), events);
}

/** The awaited reply did not come in time. */
export function stepTimedOut(saga: SagaState): Decision {
  const step = saga.step;
  if (!step) return { saga, events: [], send: null };
  const events: OrderEvent[] = [{ type: 'StepTimedOut', data: { step } }];
  if (saga.phase === 'compensating' || isAfterPivot(step)) {
    // Must happen: ask again (every participant treats a repeat as the same command).
    return { saga, events, send: step, again: true };
  }
  // It may have happened late: undo it too. Its late reply will find a saga gone past it.
  return compensate(withUndoOf(saga, step), outcomeOf(saga, step, `${step} timed out`), events);
}

/** A customer cancels: now if nothing is in flight, else when the current step answers. */
export function cancelRequested(saga: SagaState, reason: string): Decision | 'too-late' {
  const events: OrderEvent[] = [{ type: 'CancellationRequested', data: { reason } }];
  if (saga.phase === 'confirmed') return compensate(saga, { status: 'CANCELLED', reason }, events);
  if (saga.phase === 'forward' && saga.waiting && saga.step) {
    // In line, nothing is in flight: leave the line now rather than wait to be served.
    return compensate(withUndoOf(saga, saga.step), { status: 'CANCELLED', reason }, events);
  }
  if (saga.phase === 'forward' && !saga.cancelRequested) {
    return { saga: { ...saga, cancelRequested: reason }, events, send: null };
  }
  return 'too-late';
}

export type { OrderStatus };
