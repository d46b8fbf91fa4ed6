import type { Bus, Logger } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { CARRIER_STEP_EVENTS, type CarrierStep, isCarrierStep, nextCarrierStep } from './domain/shipment.ts';
import { claimDueShipments, moveShipments } from './store.ts';

// The simulated carrier. Its timers live in the database (`next_step_at`), so a
// restart loses none; any number of instances tick, and SKIP LOCKED gives each due
// shipment to exactly one of them.

const BATCH = 50;

/** Moves every due shipment one step on, publishing the step's fact; resolves how many moved. */
export async function advanceDueShipments(bus: Bus<typeof eventSchemas>, stepMs: number): Promise<number> {
  return bus.transaction(async (tx) => {
    const due = await claimDueShipments(tx, BATCH);
    const stepping: Array<{ shipment: (typeof due)[number]; next: CarrierStep }> = [];
    const finished: typeof due = [];
    for (const shipment of due) {
      const next = nextCarrierStep(shipment.status);
      if (next && isCarrierStep(next)) stepping.push({ shipment, next });
      else finished.push(shipment);
    }
    if (finished.length > 0) {
      await tx.query('UPDATE shipments SET next_step_at = NULL WHERE id = ANY($1::uuid[])', [
        finished.map((shipment) => shipment.id),
      ]);
    }
    // Every due shipment's step in one statement, then each step's fact.
    const moved = await moveShipments(
      tx,
      stepping.map(({ shipment, next }) => ({
        id: shipment.id,
        status: next,
        stepMs: nextCarrierStep(next) ? stepMs : null,
      })),
    );
    for (const { shipment, next } of stepping) {
      await tx.publish({
        type: CARRIER_STEP_EVENTS[next],
        subject: shipment.order_id,
        ...(shipment.correlation_id ? { correlationId: shipment.correlation_id } : {}),
        data: {
          orderId: shipment.order_id,
          shipmentId: shipment.id,
          trackingNumber: shipment.tracking_number,
          at: (moved.get(shipment.id) ?? new Date()).toISOString(),
        },
      });
    }
    return due.length;
  });
}

/** Ticks every `tickMs` until stopped; a failed tick is logged and the next one tries again. */
export function startCarrier(options: {
  bus: Bus<typeof eventSchemas>;
  log: Logger;
  stepMs: number;
  tickMs: number;
}): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    try {
      let moved: number;
      // A full batch means more may be due: keep going before sleeping.
      do {
        moved = await advanceDueShipments(options.bus, options.stepMs);
      } while (!stopped && moved === BATCH);
    } catch (error) {
      options.log.warn({ err: error }, 'carrier tick failed; trying again next tick');
    }
  }

  function run(): void {
    ticking = tick().then(() => {
      if (!stopped) timer = setTimeout(run, options.tickMs);
    });
  }

  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
    },
  };
}
