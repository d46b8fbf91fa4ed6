// Both ways of running a checkout keep their deadlines in the `sagas` table. This
// sweeps a mode's overdue rows on a timer, a batch per transaction; the rows are
// locked with SKIP LOCKED, so several instances never handle one twice.
import type { Bus, Logger, Tx } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import type { SagaMode } from './domain/order.ts';
import { overdueSagas } from './store.ts';

type OrderTx = Tx<typeof eventSchemas>;
const BATCH = 20;

export interface DeadlineSweeper {
  start(): void;
  /** Stops the timer and waits for a sweep under way. */
  stop(): Promise<void>;
}

export function deadlineSweeper(
  bus: Bus<typeof eventSchemas>,
  log: Logger,
  options: {
    mode: SagaMode;
    stepTimeoutMs: number;
    overdue: (tx: OrderTx, orderId: string) => Promise<void>;
  },
): DeadlineSweeper {
  let timer: NodeJS.Timeout | undefined;
  let sweep: Promise<void> = Promise.resolve();

  async function sweepOverdue(): Promise<void> {
    for (;;) {
      const handled = await bus.transaction(async (tx) => {
        const due = await overdueSagas(tx, options.mode, BATCH);
        for (const orderId of due) await options.overdue(tx, orderId);
        return due.length;
      });
      if (handled < BATCH) return;
    }
  }

  return {
    start() {
      timer = setInterval(
        () => {
          sweep = sweep
            .then(sweepOverdue)
            .catch((error: unknown) => log.warn({ err: error, mode: options.mode }, 'deadline sweep failed'));
        },
        Math.min(500, options.stepTimeoutMs / 4),
      );
    },
    async stop() {
      clearInterval(timer);
      await sweep;
    },
  };
}
