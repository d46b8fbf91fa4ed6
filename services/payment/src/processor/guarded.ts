import { setTimeout as sleep } from 'node:timers/promises';
import type { Breaker } from '@platform/chassis';
import { backoffDelay, jittered } from '@platform/chassis/backoff';
import { BrokenCircuitError } from 'cockatiel';
import type { Money } from '../domain/payment.ts';
import { ProcessorUnavailable } from '../errors.ts';
import type { AuthorizationResult, CardProcessor, MovementResult } from './processor.ts';

// The processor as the service uses it: every call through the circuit breaker, a
// processing error retried a few times with jittered backoff. An open circuit throws
// PROCESSOR_UNAVAILABLE at once: the call then waits (runner.ts) and is made again
// after the breaker's Retry-After. PROCESSOR_UNAVAILABLE always means the processor did
// nothing (it was not called, or answered a processing error, which it never
// remembers), so a call that gets it may be given up.

export const PROCESSOR_ATTEMPTS = 3;
const BACKOFF = { baseDelayMs: 50, maxDelayMs: 50 * 2 ** (PROCESSOR_ATTEMPTS - 1) };

export interface GuardedProcessor {
  /** Approved, declined, or (after every attempt failed) a processing error. */
  authorize(token: string, amount: Money, idempotencyKey: string): Promise<AuthorizationResult>;
  /** Resolves once done; throws PROCESSOR_UNAVAILABLE if the processor kept failing (and did nothing). */
  capture(reference: string, amount: Money, idempotencyKey: string): Promise<void>;
  void(reference: string, amount: Money, idempotencyKey: string): Promise<void>;
  refund(reference: string, amount: Money, idempotencyKey: string): Promise<void>;
}

/** Equal jitter over an exponential step: spreads retries of many callers apart. */
function backoffMs(attempt: number): number {
  return jittered(backoffDelay(attempt, BACKOFF), 'equal');
}

export function guardProcessor(processor: CardProcessor, breaker: Breaker): GuardedProcessor {
  async function once<T extends AuthorizationResult | MovementResult>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const { result } = await breaker.execute(async () => {
        const result = await call();
        return {
          result,
          failed: result.outcome === 'processing_error',
          elapsedMs: performance.now() - started,
        };
      });
      return result;
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new ProcessorUnavailable('The circuit to the card processor is open; try again shortly', {
          headers: { 'retry-after': String(breaker.retryAfterSeconds()) },
        });
      }
      throw error;
    }
  }

  async function withRetries<T extends AuthorizationResult | MovementResult>(
    call: () => Promise<T>,
  ): Promise<T> {
    let result = await once(call);
    for (
      let attempt = 2;
      attempt <= PROCESSOR_ATTEMPTS && result.outcome === 'processing_error';
      attempt += 1
    ) {
      await sleep(backoffMs(attempt - 1));
      result = await once(call);
    }
    return result;
  }

  const movement =
    (operation: 'capture' | 'void' | 'refund') =>
    async (reference: string, amount: Money, idempotencyKey: string): Promise<void> => {
      const result = await withRetries(() => processor[operation](reference, amount, idempotencyKey));
      if (result.outcome === 'processing_error') {
        throw new ProcessorUnavailable(
          `The card processor failed to ${operation} ${PROCESSOR_ATTEMPTS} times; try again later`,
        );
      }
    };

  return {
    authorize: (token, amount, idempotencyKey) =>
      withRetries(() => processor.authorize(token, amount, idempotencyKey)),
    capture: movement('capture'),
    void: movement('void'),
    refund: movement('refund'),
  };
}
