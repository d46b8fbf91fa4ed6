// The checkout's steps, in one catalogue: the command that asks for each (the
// orchestrated saga sends it), what its participant answers (the saga awaits the
// answer; choreography follows the same messages as facts), the compensation that
// undoes it, and what the order becomes when it fails. The saga (saga.ts),
// choreography (choreography.ts) and the timeline (order.ts) all read it.
import type { EventData, EventType } from '@platform/contracts';
import type { Order } from './order.ts';

export type Step =
  | 'reserve-stock'
  | 'authorize-payment'
  | 'schedule-shipment'
  | 'capture-payment'
  | 'commit-stock'
  | 'release-stock'
  | 'cancel-payment'
  | 'cancel-shipment';

/** The commands the orchestrated saga sends, one a step. */
export type CommandType =
  | 'inventory.reserve-stock'
  | 'payment.authorize'
  | 'shipping.schedule-shipment'
  | 'payment.capture'
  | 'inventory.commit-stock'
  | 'inventory.release-stock'
  | 'payment.cancel'
  | 'shipping.cancel-shipment';

/** A command with its data, as its contract has it. */
export type Command = { [C in CommandType]: { type: C; data: EventData<C> } }[CommandType];

/** What an answer says of its step: it happened, it failed (a compensation: it was refused), or it waits in line. */
export type Said = 'done' | 'failed' | 'waiting';

/** What a command is built from: the order as placed, and what the moment adds. */
export interface Asking {
  order: Pick<Order, 'id' | 'userId' | 'items' | 'totals' | 'shippingAddress' | 'paymentMethodId'>;
  /** Why an undo is asked (the order's outcome). */
  reason: string;
  /** When a reservation not yet committed lapses on its own. */
  reservationExpiresAt: string;
}

interface Entry<C extends CommandType> {
  /** forward: a step of the checkout, in `FORWARD` order; compensation: undoes one. */
  kind: 'forward' | 'compensation';
  command: C;
  data(asking: Asking): EventData<C>;
  /**
   * The participant's answers and what each says. `note` is how the payment service
   * undid a payment: choreography's timeline says it, since no one there asked for
   * the undo (an administrator's refund looks the same); the orchestrated timeline
   * records the step it asked for.
   */
  answers: Partial<Record<EventType, { said: Said; note?: string }>>;
  /** The compensation that undoes the step once it happened; none past the pivot. */
  undoneBy?: Step;
  /** What the order becomes when this step fails (steps up to the pivot). */
  failsAs?: 'REJECTED' | 'CANCELLED';
}

const entry = <C extends CommandType>(spec: Entry<C>): Entry<C> => spec;
const orderOnly = ({ order }: Asking) => ({ orderId: order.id });
const withReason = ({ order, reason }: Asking) => ({ orderId: order.id, reason });

export const STEPS: { readonly [S in Step]: Entry<CommandType> } = {
  'reserve-stock': entry({
    kind: 'forward',
    command: 'inventory.reserve-stock',
    data: ({ order, reservationExpiresAt }) => ({
      orderId: order.id,
      lines: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
      expiresAt: reservationExpiresAt,
    }),
    answers: {
      'inventory.stock.reserved': { said: 'done' },
      'inventory.stock.reservation-failed': { said: 'failed' },
      'inventory.stock.waiting': { said: 'waiting' },
    },
    undoneBy: 'release-stock',
    failsAs: 'REJECTED',
  }),
  'authorize-payment': entry({
    kind: 'forward',
    command: 'payment.authorize',
    data: ({ order }) => ({
      orderId: order.id,
      userId: order.userId,
      paymentMethodId: order.paymentMethodId,
      amount: { amount: order.totals.total, currency: order.totals.currency },
    }),
    answers: { 'payment.authorized': { said: 'done' }, 'payment.failed': { said: 'failed' } },
    undoneBy: 'cancel-payment',
    failsAs: 'REJECTED',
  }),
  'schedule-shipment': entry({
    kind: 'forward',
    command: 'shipping.schedule-shipment',
    data: ({ order }) => ({
      orderId: order.id,
      userId: order.userId,
      address: order.shippingAddress,
      lines: order.items.map(({ productId, quantity, weightGrams }) => ({
        productId,
        quantity,
        weightGrams,
      })),
    }),
    answers: { 'shipping.scheduled': { said: 'done' }, 'shipping.failed': { said: 'failed' } },
    undoneBy: 'cancel-shipment',
    failsAs: 'CANCELLED',
  }),
  'capture-payment': entry({
    kind: 'forward',
    command: 'payment.capture',
    data: orderOnly,
    answers: { 'payment.captured': { said: 'done' } },
  }),
  'commit-stock': entry({
    kind: 'forward',
    command: 'inventory.commit-stock',
    data: orderOnly,
    answers: { 'inventory.stock.committed': { said: 'done' } },
  }),
  'release-stock': entry({
    kind: 'compensation',
    command: 'inventory.release-stock',
    data: withReason,
    answers: { 'inventory.stock.released': { said: 'done' } },
  }),
  'cancel-payment': entry({
    kind: 'compensation',
    command: 'payment.cancel',
    data: withReason,
    answers: {
      'payment.voided': { said: 'done', note: 'voided' },
      'payment.refunded': { said: 'done', note: 'refunded' },
    },
  }),
  'cancel-shipment': entry({
    kind: 'compensation',
    command: 'shipping.cancel-shipment',
    data: withReason,
    answers: { 'shipping.cancelled': { said: 'done' }, 'shipping.cancel-refused': { said: 'failed' } },
  }),
};

/** Steps asked together: never none. */
export type Stage = readonly [Step, ...Step[]];
/**
 * The checkout forward, stage by stage: a stage's steps depend on nothing but the
 * stages before it, so they are asked together and the next stage waits for all of
 * them. Booking the shipment is the pivot, alone in its stage: before it an order can
 * give up, after it only go on.
 */
export const STAGES: readonly [Stage, ...Stage[]] = [
  ['reserve-stock', 'authorize-payment'],
  ['schedule-shipment'],
  ['capture-payment', 'commit-stock'],
];
/** The checkout forward, in order. */
export const FORWARD: readonly Step[] = STAGES.flat();
export const PIVOT: Step = 'schedule-shipment';
/** The steps an order may give up on (a failure or silence undoes what was done). */
export const BEFORE_PIVOT: readonly Step[] = FORWARD.slice(0, FORWARD.indexOf(PIVOT) + 1);

export const isCompensation = (step: Step): boolean => STEPS[step].kind === 'compensation';
/** The step's participant may put it in line (answer that it waits) rather than answer at once. */
export const canWait = (step: Step): boolean =>
  Object.values(STEPS[step].answers).some((answer) => answer?.said === 'waiting');
/** Past the pivot a step must happen: asked again until it does, never undone by failure. */
export const isAfterPivot = (step: Step): boolean => FORWARD.indexOf(step) > FORWARD.indexOf(PIVOT);

/** The step's command for `asking.order`. */
export function commandFor(step: Step, asking: Asking): Command {
  const { command, data } = STEPS[step];
  // Each entry builds the data of its own command (`entry` checks it); the pair is one `Command`.
  return { type: command, data: data(asking) } as Command;
}

/** A participant's answer as the order reads it. */
export type Answer = {
  step: Step;
  /** What the timeline notes: the parcel's tracking number. */
  detail?: string;
  /** How it was done, where the participant chose (see `Entry.answers`). */
  note?: string;
  /** Why it failed or was refused. */
  reason: string;
} & (
  | { said: 'done' | 'failed' }
  | { said: 'waiting' /** When inventory will have answered. */; until: string }
);

/** What answers carry that the order reads (each contract has some of them). */
export interface AnswerData {
  reason?: string;
  code?: string;
  trackingNumber?: string;
  until?: string;
}

const ANSWERS = new Map(
  (Object.keys(STEPS) as Step[]).flatMap((step) =>
    Object.entries(STEPS[step].answers).map(([type, meaning]) => [type, { step, ...meaning }] as const),
  ),
);
/** Every message that answers a step. */
export const ANSWER_TYPES = [...ANSWERS.keys()] as EventType[];

/**
 * `type` read as an answer to its step, heard at `now`; undefined for a message that
 * answers none. (Contracts require what is read here; the fallbacks are for a
 * message that slipped past them.)
 */
export function answerOf(type: string, data: AnswerData, now: Date): Answer | undefined {
  const meaning = ANSWERS.get(type);
  if (!meaning) return undefined;
  const { said, ...read } = {
    ...meaning,
    ...(data.trackingNumber ? { detail: data.trackingNumber } : {}),
    reason: data.code ?? data.reason ?? 'failed',
  };
  return said === 'waiting' ? { ...read, said, until: data.until ?? now.toISOString() } : { ...read, said };
}
