import { setTimeout as sleep } from 'node:timers/promises';
import { flags } from '@platform/chassis';
import type { payments } from '@platform/contracts';
import { brandOf, cardDigits, isExpired, passesLuhn } from '../domain/card.ts';
import type { Money } from '../domain/payment.ts';
import { CardExpired, CardInvalid } from '../errors.ts';
import { openCard, sealCard, tokenKey } from './token.ts';

// A SIMULATED card processor: it stands for an outside network (Stripe-like), so it
// is the one simulated part of the service. It keeps no cards: payment methods are
// sealed tokens only it can open. Like a real processor it honours idempotency keys,
// so a request repeated after a lost answer does not charge twice.

export type DeclineCode = 'card_declined' | 'insufficient_funds';
export interface CardDetails {
  brand: string;
  last4: string;
}
export type AuthorizationResult =
  | { outcome: 'approved'; card: CardDetails }
  | { outcome: 'declined'; code: DeclineCode; card: CardDetails }
  | { outcome: 'processing_error' };
export type MovementResult = { outcome: 'done' } | { outcome: 'processing_error' };
export type ProcessorOperation = 'authorize' | 'capture' | 'void' | 'refund';

/** One request the processor acted on (its own record, as a processor's dashboard lists charges). */
export interface ProcessorAction {
  operation: ProcessorOperation;
  idempotencyKey: string;
  amount: Money;
  outcome: 'approved' | 'declined' | 'done';
}

export interface ProcessorSettings {
  latencyMs: number;
  /** Share (0-1) of calls that fail with a processing error, as a flaky network would. */
  failureRate: number;
}

/**
 * The fault scenarios an operator switches on with the `paymentProcessorFault` flag
 * (config/flags.flagd.json): the processor slow, declining every authorization, or
 * failing every call as an unreachable network would.
 */
export const PROCESSOR_FAULTS = ['none', 'slow', 'decline', 'unreachable'] as const;
export type ProcessorFault = (typeof PROCESSOR_FAULTS)[number];
/** What `slow` adds to every call: plain in a trace and in checkout times, well inside a saga step's deadline. */
export const SLOW_FAULT_MS = 3_000;
const faultFromFlag = () => flags.choice('paymentProcessorFault', PROCESSOR_FAULTS, 'none');

/** Stripe's test cards; any other valid number approves. */
export const TEST_CARDS: Record<string, DeclineCode | 'processing_error'> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
  '4000000000000119': 'processing_error',
};

export interface CardProcessor {
  settings(): ProcessorSettings;
  configure(change: Partial<ProcessorSettings>): ProcessorSettings;
  /** A payment method for `card`; throws CARD_INVALID (Luhn) or CARD_EXPIRED. */
  tokenize(card: payments.CardInput, now?: Date): payments.PaymentMethod;
  authorize(token: string, amount: Money, idempotencyKey: string): Promise<AuthorizationResult>;
  capture(reference: string, amount: Money, idempotencyKey: string): Promise<MovementResult>;
  void(reference: string, amount: Money, idempotencyKey: string): Promise<MovementResult>;
  refund(reference: string, amount: Money, idempotencyKey: string): Promise<MovementResult>;
  /** What it acted on, oldest first: one entry per idempotency key, however often the request came. */
  actions(): ProcessorAction[];
}

const REMEMBERED_KEYS = 50_000;

export function createCardProcessor(options: {
  secret: string;
  latencyMs: number;
  failureRate: number;
  random?: () => number;
  /** The fault scenario in force, asked on every call; by default the `paymentProcessorFault` flag. */
  fault?: () => Promise<ProcessorFault>;
  slowFaultMs?: number;
}): CardProcessor {
  const key = tokenKey(options.secret);
  const random = options.random ?? Math.random;
  const faultNow = options.fault ?? faultFromFlag;
  const slowFaultMs = options.slowFaultMs ?? SLOW_FAULT_MS;
  const settings: ProcessorSettings = { latencyMs: options.latencyMs, failureRate: options.failureRate };
  const remembered = new Map<
    string,
    { result: AuthorizationResult | MovementResult; action: ProcessorAction }
  >();

  /**
   * Latency, injected failures, then the idempotent answer: a request whose key was
   * seen gets the first answer and does nothing again; a processing error did
   * nothing and is never remembered. Between the look-up and the record there is no
   * await, so two requests with one key in flight together act once.
   */
  async function call<T extends AuthorizationResult | MovementResult>(
    request: Omit<ProcessorAction, 'outcome'>,
    decide: (fault: ProcessorFault) => T,
  ): Promise<T> {
    const fault = await faultNow();
    const latencyMs = settings.latencyMs + (fault === 'slow' ? slowFaultMs : 0);
    if (latencyMs > 0) await sleep(latencyMs);
    if (fault === 'unreachable' || random() < settings.failureRate)
      return { outcome: 'processing_error' } as T;
    const key = `${request.operation}:${request.idempotencyKey}`;
    const earlier = remembered.get(key);
    if (earlier) return earlier.result as T;
    const result = decide(fault);
    if (result.outcome === 'processing_error') return result;
    if (remembered.size >= REMEMBERED_KEYS) {
      const oldest = remembered.keys().next().value;
      if (oldest !== undefined) remembered.delete(oldest);
    }
    remembered.set(key, { result, action: { ...request, outcome: result.outcome } });
    return result;
  }

  function decideAuthorization(token: string, fault: ProcessorFault): AuthorizationResult {
    const card = openCard(key, token);
    if (!card) return { outcome: 'declined', code: 'card_declined', card: { brand: 'card', last4: '' } };
    const details = { brand: brandOf(card.number), last4: card.number.slice(-4) };
    if (fault === 'decline' || isExpired(card.expMonth, card.expYear, new Date())) {
      return { outcome: 'declined', code: 'card_declined', card: details };
    }
    const behaviour = TEST_CARDS[card.number];
    if (behaviour === 'processing_error') return { outcome: 'processing_error' };
    if (behaviour) return { outcome: 'declined', code: behaviour, card: details };
    return { outcome: 'approved', card: details };
  }

  // Captures, voids and refunds always go through when the network does: the
  // simulation keeps no balances of its own (the service's ledger is the record).
  const movement =
    (operation: Exclude<ProcessorOperation, 'authorize'>) =>
    (_reference: string, amount: Money, idempotencyKey: string) =>
      call<MovementResult>({ operation, idempotencyKey, amount }, () => ({ outcome: 'done' }));

  return {
    settings: () => ({ ...settings }),
    configure(change) {
      if (change.latencyMs !== undefined) settings.latencyMs = change.latencyMs;
      if (change.failureRate !== undefined) settings.failureRate = change.failureRate;
      return { ...settings };
    },
    tokenize(input, now = new Date()) {
      const number = cardDigits(input.cardNumber);
      if (!passesLuhn(number)) throw new CardInvalid('The card number fails its check digit');
      if (isExpired(input.expMonth, input.expYear, now)) {
        throw new CardExpired(`The card expired at the end of ${input.expMonth}/${input.expYear}`);
      }
      return {
        id: sealCard(key, { number, expMonth: input.expMonth, expYear: input.expYear }),
        brand: brandOf(number),
        last4: number.slice(-4),
      };
    },
    authorize: (token, amount, idempotencyKey) =>
      call({ operation: 'authorize', idempotencyKey, amount }, (fault) => decideAuthorization(token, fault)),
    capture: movement('capture'),
    void: movement('void'),
    refund: movement('refund'),
    actions: () => [...remembered.values()].map(({ action }) => ({ ...action })),
  };
}
