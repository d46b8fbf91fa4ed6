import { setTimeout as sleep } from 'node:timers/promises';
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

export interface ProcessorSettings {
  latencyMs: number;
  /** Share (0-1) of calls that fail with a processing error, as a flaky network would. */
  failureRate: number;
}

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
}

const REMEMBERED_KEYS = 50_000;

export function createCardProcessor(options: {
  secret: string;
  latencyMs: number;
  failureRate: number;
  random?: () => number;
}): CardProcessor {
  const key = tokenKey(options.secret);
  const random = options.random ?? Math.random;
  const settings: ProcessorSettings = { latencyMs: options.latencyMs, failureRate: options.failureRate };
  const remembered = new Map<string, AuthorizationResult | MovementResult>();

  /** Latency, injected failures, then the idempotent answer: a processing error is never remembered. */
  async function call<T extends AuthorizationResult | MovementResult>(
    idempotencyKey: string,
    decide: () => T,
  ): Promise<T> {
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    if (random() < settings.failureRate) return { outcome: 'processing_error' } as T;
    const earlier = remembered.get(idempotencyKey);
    if (earlier) return earlier as T;
    const result = decide();
    if (result.outcome === 'processing_error') return result;
    if (remembered.size >= REMEMBERED_KEYS) {
      const oldest = remembered.keys().next().value;
      if (oldest !== undefined) remembered.delete(oldest);
    }
    remembered.set(idempotencyKey, result);
    return result;
  }

  function decideAuthorization(token: string): AuthorizationResult {
    const card = openCard(key, token);
    if (!card) return { outcome: 'declined', code: 'card_declined', card: { brand: 'card', last4: '' } };
    const details = { brand: brandOf(card.number), last4: card.number.slice(-4) };
    if (isExpired(card.expMonth, card.expYear, new Date())) {
      return { outcome: 'declined', code: 'card_declined', card: details };
    }
    const behaviour = TEST_CARDS[card.number];
    if (behaviour === 'processing_error') return { outcome: 'processing_error' };
    if (behaviour) return { outcome: 'declined', code: behaviour, card: details };
    return { outcome: 'approved', card: details };
  }

  // Captures, voids and refunds always go through when the network does: the
  // simulation keeps no balances of its own (the service's ledger is the record).
  const movement = (operation: string) => (_reference: string, _amount: Money, idempotencyKey: string) =>
    call<MovementResult>(`${operation}:${idempotencyKey}`, () => ({ outcome: 'done' }));

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
    authorize: (token, _amount, idempotencyKey) =>
      call(`authorize:${idempotencyKey}`, () => decideAuthorization(token)),
    capture: movement('capture'),
    void: movement('void'),
    refund: movement('refund'),
  };
}
