import type { Money } from '../src/domain/payment.ts';
import type { CardProcessor, ProcessorAction } from '../src/processor/processor.ts';

// A hand on the simulated card processor, for tests of what happens while it works.
// The processor is the one part of payment outside the platform, so it is the one a
// test may stand in for (CONVENTIONS: mocks are for what is outside the platform).

export interface HeldAnswer {
  /** Resolves once the request has reached the processor and the processor has acted on it. */
  reached: Promise<void>;
  /** Lets the answer go back to the payment service (a process that died mid-call never gets it). */
  release(): void;
}

export interface ProcessorControl {
  /** Every request that reached the processor, in order, repeats too: `authorize:<idempotency key>`. */
  requests(): string[];
  /** The simulated processor's own record: one action per idempotency key. */
  actions(): ProcessorAction[];
  /** The next request named `request` (`capture:<key>`) is acted on, but its answer waits for `release`. */
  holdAnswer(request: string): HeldAnswer;
  /** Runs `look` inside every request before the processor sees it (undefined: stop looking). */
  whileWorking(look: (() => Promise<void>) | undefined): void;
}

type Movement = (reference: string, amount: Money, idempotencyKey: string) => Promise<unknown>;

export function controlledProcessor(simulated: CardProcessor): {
  processor: CardProcessor;
  control: ProcessorControl;
} {
  const requests: string[] = [];
  const holds = new Map<string, { reached(): void; released: Promise<void> }>();
  let look: (() => Promise<void>) | undefined;

  function controlled<F extends Movement>(operation: string, call: F): F {
    const wrapped = async (reference: string, amount: Money, idempotencyKey: string) => {
      const request = `${operation}:${idempotencyKey}`;
      requests.push(request);
      await look?.();
      const answer = await call(reference, amount, idempotencyKey);
      const hold = holds.get(request);
      if (hold) {
        holds.delete(request);
        hold.reached();
        await hold.released;
      }
      return answer;
    };
    return wrapped as F;
  }

  const processor: CardProcessor = {
    ...simulated,
    authorize: controlled('authorize', simulated.authorize),
    capture: controlled('capture', simulated.capture),
    void: controlled('void', simulated.void),
    refund: controlled('refund', simulated.refund),
  };
  const control: ProcessorControl = {
    requests: () => [...requests],
    actions: () => simulated.actions(),
    holdAnswer(request) {
      let reached = () => {};
      let release = () => {};
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(request, { reached, released });
      return { reached: reachedPromise, release };
    },
    whileWorking(next) {
      look = next;
    },
  };
  return { processor, control };
}
