import { setTimeout as sleep } from 'node:timers/promises';
import { currentCorrelationId } from '@platform/chassis';
import { callStore } from './calls.ts';
import { PaymentBusy, ProcessorUnavailable } from './errors.ts';
import { refundPayment } from './operations.ts';
import type { Refund } from './rows.ts';
import type { CallRunner, CallRunnerOptions } from './runner.ts';
import { paymentStore } from './store.ts';

// An administrator's refund, made while the request waits: recorded in a short
// transaction, made outside any, settled (and `payment.refunded` published) in a second
// one (decision 022). Refunds racing for one payment take turns, each checked against
// what the ones before it left.

const TURN_POLL_MS = 25;
/** How long a refund waits for its order's call in flight before answering 503. */
const TURN_PATIENCE_MS = 10_000;

export type RefundDeps = Pick<CallRunnerOptions, 'pool' | 'bus'> & { runner: CallRunner };

/** Resolves `attempt` once the order it is about has no call in flight (it throws PAYMENT_BUSY until then). */
async function inTurn<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + TURN_PATIENCE_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof PaymentBusy)) throw error;
      if (Date.now() > deadline) {
        throw new ProcessorUnavailable(
          'The payment is still waiting for the card processor; try again shortly',
          {
            headers: { 'retry-after': '1' },
          },
        );
      }
      await sleep(TURN_POLL_MS);
    }
  }
}

export async function refundNow(
  deps: RefundDeps,
  paymentId: string,
  request: { amount: number; reason?: string | undefined },
): Promise<Refund> {
  const { pool, bus, runner } = deps;
  const { call, refundId } = await inTurn(() =>
    bus.transaction(async (tx) => {
      const wanted = await refundPayment(tx, paymentId, request);
      const call = await callStore(tx).record(
        wanted,
        { correlationId: currentCorrelationId() },
        runner.leaseMs,
      );
      return { call, refundId: wanted.refundId };
    }),
  );
  const settled = await runner.runNow(call);
  if (settled?.refund) return settled.refund;
  // Settled by another taker (this one outlived its lease): recorded all the same.
  const refund = await paymentStore(pool).findRefund(refundId, call.amount.currency);
  if (!refund) throw new Error(`refund call ${call.id} settled without its refund ${refundId}`);
  return refund;
}
