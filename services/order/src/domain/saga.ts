// The checkout saga, as pure decisions: given where the saga is and what just
// happened, which order events to record and which command to send next. Each
// completed step pushes its compensation to the front of a list; failure runs that
// list, one compensation at a time, each retried until it is acknowledged.
import type { OrderEvent, OrderStatus, Step } from './order.ts';

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
}

export interface Decision {
  saga: SagaState;
  events: OrderEvent[];
  /** The command to send now (with a fresh deadline), if any. */
  send: Step | null;
}

export const FORWARD: Step[] = [
  'reserve-stock',
  'authorize-payment',
  'schedule-shipment',
  'capture-payment',
  'commit-stock',
];

/** Undoes a completed step. Capture and commit are undone by the same compensations. */
const COMPENSATION: Partial<Record<Step, Step>> = {
  'reserve-stock': 'release-stock',
  'authorize-payment': 'cancel-payment',
  'schedule-shipment': 'cancel-shipment',
};

/** Once the shipment is booked, the saga only goes forward: capture and commit are retried, never undone by failure. */
const AFTER_PIVOT: Step[] = ['capture-payment', 'commit-stock'];

const FAILED_AS: Partial<Record<Step, 'REJECTED' | 'CANCELLED'>> = {
  'reserve-stock': 'REJECTED',
  'authorize-payment': 'REJECTED',
  'schedule-shipment': 'CANCELLED',
};

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
    saga: { ...saga, phase: 'compensating', step: next, compensations: rest, outcome },
    events,
    send: next,
  };
}

export function stepSucceeded(saga: SagaState, step: Step, detail?: string): Decision {
  const events: OrderEvent[] = [{ type: 'StepSucceeded', data: { step, ...(detail ? { detail } : {}) } }];
  if (saga.phase === 'compensating' && saga.outcome) return compensate(saga, saga.outcome, events);
  const undo = COMPENSATION[step];
  const compensations = undo ? [undo, ...saga.compensations] : saga.compensations;
  const advanced = { ...saga, compensations };
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
  return { saga: { ...advanced, step: next }, events, send: next };
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
  const status = saga.cancelRequested ? 'CANCELLED' : (FAILED_AS[step] ?? 'CANCELLED');
  return compensate(saga, { status, reason: saga.cancelRequested ?? reason }, events);
}

/** The awaited reply did not come in time. */
export function stepTimedOut(saga: SagaState): Decision {
  const step = saga.step;
  if (!step) return { saga, events: [], send: null };
  const events: OrderEvent[] = [{ type: 'StepTimedOut', data: { step } }];
  if (saga.phase === 'compensating' || AFTER_PIVOT.includes(step)) {
    // Must happen: ask again (every participant treats a repeat as the same command).
    return { saga, events, send: step };
  }
  // It may have happened late: undo it too. Its late reply will find a saga gone past it.
  const undo = COMPENSATION[step];
  const withUndo = { ...saga, compensations: undo ? [undo, ...saga.compensations] : saga.compensations };
  const status = saga.cancelRequested ? 'CANCELLED' : (FAILED_AS[step] ?? 'CANCELLED');
  return compensate(withUndo, { status, reason: saga.cancelRequested ?? `${step} timed out` }, events);
}

/** A customer cancels: now if nothing is in flight, else when the current step answers. */
export function cancelRequested(saga: SagaState, reason: string): Decision | 'too-late' {
  const events: OrderEvent[] = [{ type: 'CancellationRequested', data: { reason } }];
  if (saga.phase === 'confirmed') return compensate(saga, { status: 'CANCELLED', reason }, events);
  if (saga.phase === 'forward' && !saga.cancelRequested) {
    return { saga: { ...saga, cancelRequested: reason }, events, send: null };
  }
  return 'too-late';
}

export type { OrderStatus };
