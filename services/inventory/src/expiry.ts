import type { Bus, Service } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import type { StockOperations } from './operations.ts';

const BATCH = 100;

/**
 * Every `intervalMs`, expires lapsed reservations in batches. Rows are claimed with
 * SKIP LOCKED, so several instances sweep side by side without waiting on each other.
 */
export function startExpirySweeper(
  service: Service,
  bus: Bus<typeof eventSchemas>,
  operations: StockOperations,
  intervalMs: number,
): void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();

  async function sweep(): Promise<void> {
    try {
      for (;;) {
        const expired = await bus.transaction((tx) => operations.expireDue(tx, BATCH));
        if (expired > 0) service.log.info({ expired }, 'reservations expired');
        if (expired < BATCH || stopped) return;
      }
    } catch (error) {
      service.log.warn({ err: error }, 'expiring reservations failed; trying again next tick');
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      sweeping = sweep().finally(schedule);
    }, intervalMs);
  }

  schedule();
  service.onShutdown(async () => {
    stopped = true;
    clearTimeout(timer);
    await sweeping;
  });
}
