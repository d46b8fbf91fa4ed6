import { type Bus, type Logger, startPoller } from '@platform/chassis';
import { callStore } from './calls.ts';
import type { ProcessorCall } from './domain/calls.ts';
import { PaymentBusy } from './errors.ts';
import type { Events, PaymentTx } from './messages.ts';
import { lapseHold } from './operations.ts';
import type { CallRunner } from './runner.ts';
import { paymentStore } from './store.ts';

// Choreography (decision 024): an order that timed out is undone through shipping,
// the one step that can refuse (its parcel left). While shipping is silent, its
// `shipping.cancelled` never comes, so the card hold would be kept until it is back.
// Instead the hold lapses `PAYMENT_HOLD_GRACE_MS` after the timeout: this sweep, in
// any instance (SKIP LOCKED), voids each lapsed hold as a cancel would, a processor
// call recorded with the order's void key and made after the commit (decision 022).

const BATCH = 20;

export interface HoldLapseOptions {
  bus: Bus<Events>;
  runner: CallRunner;
  pollMs: number;
  log: Logger;
}

export interface HoldLapses {
  stop(): Promise<void>;
}

/** Records the void of each lapsed hold it claims; how many it claimed, and the calls to make. */
async function recordLapses(
  tx: PaymentTx,
  leaseMs: number,
): Promise<{ claimed: number; calls: ProcessorCall[] }> {
  const lapsed = await paymentStore(tx).claimLapsedHolds(BATCH);
  const calls: ProcessorCall[] = [];
  for (const { orderId, correlationId } of lapsed) {
    try {
      const request = await lapseHold(tx, orderId);
      if (request) calls.push(await callStore(tx).record(request, { correlationId }, leaseMs));
    } catch (error) {
      // A call for the order was recorded since the claim looked: after it settles, the next sweep decides.
      if (!(error instanceof PaymentBusy)) throw error;
    }
  }
  return { claimed: lapsed.length, calls };
}

/** Voids lapsed card holds every `pollMs`, and once at start, until stopped. */
export function startHoldLapses(options: HoldLapseOptions): HoldLapses {
  const { bus, runner, pollMs, log } = options;
  const sweeper = startPoller({
    intervalMs: pollMs,
    log,
    what: 'looking for card holds that lapsed',
    async work() {
      const { claimed, calls } = await bus.transaction((tx) => recordLapses(tx, runner.leaseMs));
      if (calls.length > 0) {
        const orders = calls.map((call) => call.orderId);
        log.info({ orders }, 'card holds released: their orders timed out while shipping was silent');
      }
      // Made once the records have committed; a call not settled is made again by the runner's sweep.
      await Promise.all(calls.map((call) => runner.run(call)));
      return claimed === BATCH;
    },
  });
  return { stop: () => sweeper.stop() };
}
