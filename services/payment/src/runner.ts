import { type Bus, gathered, type Logger, type Pool, ProblemError, startPoller } from '@platform/chassis';
import { callStore } from './calls.ts';
import { type ProcessorCall, retryDelayMs } from './domain/calls.ts';
import { ProcessorUnavailable } from './errors.ts';
import type { Events } from './messages.ts';
import { heldFromBegin, lockOrdersFirst } from './order-locks.ts';
import type { GuardedProcessor } from './processor/guarded.ts';
import { type ProcessorAnswer, type Settled, settleCall } from './settle.ts';

// Makes the processor calls the operations recorded, once their transaction has
// committed, and outside any transaction: no database connection or lock is held while
// the processor answers (decision 022). A call that could not be made or settled stays
// pending and is made again, with the same idempotency key, when its retry is due or
// its taker's lease has run out (the instance died): a sweep, here or in any other
// instance, finds those every `pollMs`, and once at start. Answers that arrive
// together are settled in one transaction (a batch's calls answer together).

const BATCH = 20;
// Calls made for consumers without holding their delivery; beyond this many at once a
// consumer waits for its call, so a slow processor slows the intake, not piles up calls.
const MAX_DETACHED = 64;
// A timer may fire a little before the database's clock says the retry is due.
const CLOCK_MARGIN_MS = 20;

export interface CallRunnerOptions {
  pool: Pool;
  /** Settles a call in a transaction that can publish its outcome. */
  bus: Bus<Events>;
  processor: GuardedProcessor;
  leaseMs: number;
  pollMs: number;
  log: Logger;
}

export interface CallRunner {
  /** How long the instance that records a call has it before another may make it again. */
  readonly leaseMs: number;
  /** Makes a recorded (committed) call and settles it; if either fails, it is tried again later. */
  run(call: ProcessorCall): Promise<void>;
  /**
   * The same, without holding the caller for the processor's answer (a consumer's
   * delivery, so the next command is not queued behind this one's call): resolves at
   * once while fewer than MAX_DETACHED are being made, else when this one is settled.
   * `stop` waits for them.
   */
  start(call: ProcessorCall): Promise<void>;
  /**
   * The same, for a caller that waits for the outcome (an administrator's refund). A
   * processor that could not be reached did nothing: the call is given up and the
   * caller hears PROCESSOR_UNAVAILABLE. Undefined: another taker settled it first.
   */
  runNow(call: ProcessorCall): Promise<Settled | undefined>;
  stop(): Promise<void>;
}

/** Asks the processor, under the call's idempotency key. */
async function ask(processor: GuardedProcessor, call: ProcessorCall): Promise<ProcessorAnswer> {
  if (call.operation === 'authorize') {
    return processor.authorize(call.paymentMethodId, call.amount, call.idempotencyKey);
  }
  await processor[call.operation](call.paymentId, call.amount, call.idempotencyKey);
  return { outcome: 'done' };
}

/** A call and what the processor answered it, to be settled. */
interface Answered {
  call: ProcessorCall;
  answer: ProcessorAnswer;
}

/** How settling one call went: settled (undefined: another taker had), or why not. */
type Settling = { settled: Settled | undefined } | { failed: unknown };

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof ProblemError)) return undefined;
  const seconds = Number(error.headers['retry-after']);
  return seconds > 0 ? seconds * 1000 : undefined;
}

export function startCallRunner(options: CallRunnerOptions): CallRunner {
  const { pool, bus, processor, leaseMs, pollMs, log } = options;
  const calls = callStore(pool);

  // The orders' locks ride with BEGIN: the settling takes one round trip less.
  const settleIn = (answered: Answered[]) => {
    const orderIds = answered.map(({ call }) => call.orderId);
    return bus.transaction(
      async (tx) => {
        heldFromBegin(tx, orderIds);
        const settled: Array<Settled | undefined> = [];
        for (const { call, answer } of answered) settled.push(await settleCall(tx, call, answer));
        return settled;
      },
      { beginWith: lockOrdersFirst(orderIds) },
    );
  };
  // Answers that arrive together share a transaction; if it fails, each is settled on
  // its own, so one that cannot be settled sends no other back to the processor.
  const settleTogether = gathered(async (answered: Answered[]): Promise<Settling[]> => {
    try {
      return (await settleIn(answered)).map((settled) => ({ settled }));
    } catch (failed) {
      if (answered.length === 1) return [{ failed }];
      return Promise.all(
        answered.map((one) =>
          settleIn([one]).then(
            ([settled]) => ({ settled }),
            (error: unknown) => ({ failed: error }),
          ),
        ),
      );
    }
  });
  async function settle(call: ProcessorCall, answer: ProcessorAnswer): Promise<Settled | undefined> {
    const settling = await settleTogether({ call, answer });
    if ('failed' in settling) throw settling.failed;
    return settling.settled;
  }

  async function tryLater(call: ProcessorCall, error: unknown): Promise<void> {
    const delayMs = retryDelayMs(call.attempt, retryAfterMs(error));
    const about = {
      callId: call.id,
      orderId: call.orderId,
      operation: call.operation,
      attempt: call.attempt,
    };
    log.warn(
      { ...about, err: error, retryInMs: delayMs },
      'processor call not settled; it will be made again',
    );
    try {
      await calls.retryLater(call.id, delayMs, error instanceof Error ? error.message : String(error));
      sweeper.wakeIn(delayMs + CLOCK_MARGIN_MS);
    } catch (failure) {
      log.warn(
        { ...about, err: failure },
        'processor call not rescheduled; it is made again when its lease ends',
      );
    }
  }

  async function run(call: ProcessorCall): Promise<void> {
    try {
      await settle(call, await ask(processor, call));
    } catch (error) {
      await tryLater(call, error);
    }
  }

  const detached = new Set<Promise<void>>();
  let stopping = false;
  async function start(call: ProcessorCall): Promise<void> {
    // Once stopping, a consumer still finishing waits for its call, and the bus's stop for it.
    if (stopping || detached.size >= MAX_DETACHED) return run(call);
    const made: Promise<void> = run(call).finally(() => detached.delete(made));
    detached.add(made);
  }

  async function runNow(call: ProcessorCall): Promise<Settled | undefined> {
    let answer: ProcessorAnswer;
    try {
      answer = await ask(processor, call);
    } catch (error) {
      if (error instanceof ProcessorUnavailable) await calls.abandon(call.id, error.message);
      else await tryLater(call, error);
      throw error;
    }
    try {
      return await settle(call, answer);
    } catch (error) {
      await tryLater(call, error);
      throw error;
    }
  }

  const sweeper = startPoller({
    intervalMs: pollMs,
    log,
    what: 'looking for due processor calls',
    async work() {
      const due = await calls.takeDue(BATCH, leaseMs);
      await Promise.all(due.map(run));
      return due.length === BATCH;
    },
  });
  async function stop(): Promise<void> {
    stopping = true;
    await sweeper.stop();
    await Promise.allSettled([...detached]);
  }
  return { leaseMs, run, start, runNow, stop };
}
