// The checkout saga, as pure decisions: given where the saga is and what just
// happened, which order events to record and which commands to send next. The steps
// go stage by stage: a stage's steps (stock and payment; the shipment, the pivot;
// capture and commit) are asked together and the next stage waits for all of them.
// Each completed step pushes its compensation to the front of a list; failure runs
// that list, one compensation at a time, each retried until it is acknowledged. Before
// the pivot, a step that fails or stays silent ends the stage at once: the steps still
// out beside it may happen, so their compensations go on the list too.
// The steps themselves (order, undo, failure status) are the catalogue's (steps.ts).
import type { Deadline } from './decision.ts';
import type { OrderEvent, OrderStatus } from './order.ts';
import { canWait, FORWARD, isAfterPivot, STAGES, STEPS, type Stage, type Step } from './steps.ts';

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
  /**
   * The steps asked together with `step` whose answers are still awaited. Absent in a
   * saga saved by the version that asked each step before the pivot alone, which goes
   * on from the step after the one it awaits.
   */
  alongside?: Step[];
}

export interface Decision {
  saga: SagaState;
  events: OrderEvent[];
  /** The command to send now (with a fresh deadline), if any. */
  send: Step | null;
  /** Commands sent with `send`, their answers awaited beside its own. */
  alongside?: Step[];
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

/** The steps whose answers the saga awaits: its step, and those asked beside it. */
export function awaitedSteps(saga: SagaState): Step[] {
  return saga.step ? [saga.step, ...(saga.alongside ?? [])] : [];
}

export function answersAwaited(awaiting: Awaiting, causationId: string | undefined): boolean {
  if (!causationId) return false;
  return awaiting.command === causationId || awaiting.earlier.includes(causationId);
}

/**
 * What is awaited after `decision`, `sent` being the ids of the commands it sent (`send`
 * first, then those `alongside`): an answer to any of them counts, and the saga then
 * takes it if its step is still awaited (`awaitedSteps`). A step asked again keeps its
 * earlier asks: when a round trip takes longer than the step's deadline, the answer to
 * an earlier ask arrives after the next ask went out, and ignoring it would ask again,
 * forever. A step still in flight with nothing sent (in line for stock, a cancel
 * waiting for it, the other of two asked together) keeps its commands.
 */
export function nextAwaiting(awaiting: Awaiting, decision: Decision, sent: string[]): Awaiting {
  const [command, ...beside] = sent;
  if (!decision.send || !command) return decision.saga.step ? awaiting : { command: null, earlier: [] };
  const before = decision.again && awaiting.command ? [...awaiting.earlier, awaiting.command] : [];
  return { command, earlier: [...before, ...beside].slice(-MAX_EARLIER_ASKS) };
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

/** A stage's steps asked in one move: the first is `send`, the others `alongside`. */
function ask(saga: SagaState, [step, ...alongside]: Stage, events: OrderEvent[]): Decision {
  return { saga: { ...saga, step, alongside, waiting: false }, events, send: step, alongside };
}

export function startSaga(): Decision {
  const start: SagaState = {
    phase: 'forward',
    step: null,
    compensations: [],
    outcome: null,
    cancelRequested: null,
  };
  return ask(start, STAGES[0], []);
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
    saga: {
      ...saga,
      phase: 'compensating',
      step: next,
      alongside: [],
      compensations: rest,
      outcome,
      waiting: false,
    },
    events,
    send: next,
  };
}

/**
 * The steps' undos put first, the last named first: each step happened, or, awaited
 * (in flight or in line), it may have. Capture and commit have none: the payment's and
 * the stock's undo them.
 */
function withUndoOf(saga: SagaState, ...steps: Step[]): SagaState {
  const undos = steps.flatMap((step) => STEPS[step].undoneBy ?? []).reverse();
  return { ...saga, compensations: [...undos, ...saga.compensations] };
}

/** The steps to ask once `step`, the last awaited, has answered: none left means confirmed. */
function nextStage(saga: SagaState, step: Step): readonly Step[] {
  if (saga.alongside) return STAGES[STAGES.findIndex((steps) => steps.includes(step)) + 1] ?? [];
  // Saved by the version that asked one step at a time: the rest of the next step's stage.
  const next = FORWARD[FORWARD.indexOf(step) + 1];
  if (!next) return [];
  const itsStage = STAGES.find((steps) => steps.includes(next)) ?? [next];
  return itsStage.slice(itsStage.indexOf(next));
}

export function stepSucceeded(saga: SagaState, step: Step, detail?: string): Decision {
  const events: OrderEvent[] = [{ type: 'StepSucceeded', data: { step, ...(detail ? { detail } : {}) } }];
  if (saga.phase === 'compensating' && saga.outcome) return compensate(saga, saga.outcome, events);
  // A step in line is no longer once it has answered; one beside it answering keeps the line.
  const advanced = { ...withUndoOf(saga, step), waiting: Boolean(saga.waiting) && !canWait(step) };
  const [stillOut, ...beside] = awaitedSteps(saga).filter((awaited) => awaited !== step);
  if (stillOut) {
    // One of the steps asked together: the others are still out (a cancel waits for them).
    return { saga: { ...advanced, step: stillOut, alongside: beside }, events, send: null };
  }
  if (saga.cancelRequested) {
    return compensate(advanced, { status: 'CANCELLED', reason: saga.cancelRequested }, events);
  }
  const [first, ...together] = nextStage(saga, step);
  if (!first) {
    return {
      saga: { ...advanced, phase: 'confirmed', step: null },
      events: [...events, { type: 'OrderConfirmed', data: {} }],
      send: null,
    };
  }
  return ask(advanced, [first, ...together], events);
}

/**
 * Inventory put the order in line for units other orders hold: nothing is asked
 * again, since inventory answers by `until` (served or refused); the step's deadline
 * moves there. A cancel asked meanwhile takes the order out of the line at once.
 */
export function stepWaiting(saga: SagaState, step: Step, until: string): Decision {
  if (saga.phase !== 'forward' || !awaitedSteps(saga).includes(step)) return { saga, events: [], send: null };
  const events: OrderEvent[] = [{ type: 'StepWaiting', data: { step } }];
  if (saga.cancelRequested) {
    const outcome = { status: 'CANCELLED' as const, reason: saga.cancelRequested };
    return compensate(withUndoOf(saga, ...awaitedSteps(saga)), outcome, events);
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
  // The steps still out beside it may happen: undone too, without waiting for their answers.
  const beside = saga.phase === 'forward' ? awaitedSteps(saga).filter((awaited) => awaited !== step) : [];
  return compensate(withUndoOf(saga, ...beside), outcomeOf(saga, step, reason), events);
}

/** The awaited reply did not come in time. */
export function stepTimedOut(saga: SagaState): Decision {
  const step = saga.step;
  if (!step) return { saga, events: [], send: null };
  if (saga.phase === 'compensating' || isAfterPivot(step)) {
    // Must happen: ask again, with whatever else is out beside it (every participant
    // treats a repeat as the same command).
    const beside = saga.alongside?.length ? { alongside: saga.alongside } : {};
    return { saga, events: [{ type: 'StepTimedOut', data: { step } }], send: step, again: true, ...beside };
  }
  // Each may have happened late: undo them too. Their late replies will find a saga gone past them.
  const silent = awaitedSteps(saga);
  const events = silent.map((each): OrderEvent => ({ type: 'StepTimedOut', data: { step: each } }));
  return compensate(withUndoOf(saga, ...silent), outcomeOf(saga, step, `${step} timed out`), events);
}

/** A customer cancels: now if nothing is in flight (or in line), else once the steps in flight have answered. */
export function cancelRequested(saga: SagaState, reason: string): Decision | 'too-late' {
  const events: OrderEvent[] = [{ type: 'CancellationRequested', data: { reason } }];
  if (saga.phase === 'confirmed') return compensate(saga, { status: 'CANCELLED', reason }, events);
  if (saga.phase === 'forward' && saga.waiting && saga.step) {
    // In line: leave the line now rather than wait to be served, and undo what is
    // asked beside it without waiting for its answer.
    return compensate(withUndoOf(saga, ...awaitedSteps(saga)), { status: 'CANCELLED', reason }, events);
  }
  if (saga.phase === 'forward' && !saga.cancelRequested) {
    return { saga: { ...saga, cancelRequested: reason }, events, send: null };
  }
  return 'too-late';
}

export type { OrderStatus };
