// Chaos testing only: the "duplicate storm" (docs/messaging.md). A driver with faults
// hands each message to its group more than once and loses some acknowledgements, in
// its own delivery path, so a chaos run can show that the inbox, not the broker, makes
// every effect happen once.
import type { Logger } from '../logger.ts';
import type { Delivery } from './driver.ts';

/** The duplicate storm's settings; both 0 (or no faults at all) is a healthy bus. */
export interface BusFaults {
  /** Each delivery is handed to the group again 1 to `redeliver` more times (random per delivery); 0: never. */
  redeliver: number;
  /** The share (0-1) of first deliveries whose ack is dropped: the bus redelivers them when the lease ends. */
  dropAckRate: number;
}

/** The faults `BUS_FAULT_REDELIVER` and `BUS_FAULT_DROP_ACK_RATE` ask for, or undefined if none. */
export function faultsFromConfig(config: {
  BUS_FAULT_REDELIVER?: number | undefined;
  BUS_FAULT_DROP_ACK_RATE?: number | undefined;
}): BusFaults | undefined {
  const faults = {
    redeliver: config.BUS_FAULT_REDELIVER ?? 0,
    dropAckRate: config.BUS_FAULT_DROP_ACK_RATE ?? 0,
  };
  return faultsOn(faults) ? faults : undefined;
}

function faultsOn(faults: BusFaults | undefined): faults is BusFaults {
  return faults !== undefined && (faults.redeliver > 0 || faults.dropAckRate > 0);
}

/** Logs, once at a driver's start, that its deliveries are being faulted. */
export function warnOfFaults(log: Logger, driver: string, faults: BusFaults | undefined): void {
  if (!faultsOn(faults)) return;
  log.warn(
    { driver, redeliver: faults.redeliver, dropAckRate: faults.dropAckRate },
    'bus fault mode "duplicate storm" is on: deliveries are repeated and acks dropped (chaos testing only)',
  );
}

/**
 * A copy of a delivery: the same message at the same attempt, as a broker hands out
 * a message it believes unacknowledged. The bus keeps one state per message, set by
 * the original's settlement, so a copy's ack, retry or drop changes nothing there
 * (and cannot undo a dropped ack).
 */
function copyOf(delivery: Delivery): Delivery {
  return {
    body: delivery.body,
    attempt: delivery.attempt,
    ack: async () => {},
    retry: async () => {},
    drop: async () => {},
  };
}

/**
 * Loses the ack of a first delivery with probability `rate`: the message stays
 * unacknowledged and the bus redelivers it when its lease (ack wait) ends. An ack
 * comes only after the effect and its inbox row committed, so that redelivery finds
 * the row. Only first deliveries lose theirs: a message's attempt count, which a
 * failure after it would be judged by, grows by one at most, never towards dead letters.
 */
function droppingAcks(delivery: Delivery, rate: number, random: () => number): Delivery {
  if (rate <= 0 || delivery.attempt > 1) return delivery;
  return { ...delivery, ack: () => (random() < rate ? Promise.resolve() : delivery.ack()) };
}

/**
 * Wraps what a driver calls for each delivery with the faults: the delivery goes
 * first (its ack maybe dropped), then 1 to `redeliver` copies of it: one at once, so
 * it meets the original in flight (in the same batch, or waiting on its inbox row),
 * the rest together once the original is settled. Resolves when all are settled.
 * Without faults, `deliver` itself.
 */
export function stormDeliverer(
  deliver: (delivery: Delivery) => Promise<void>,
  faults: BusFaults | undefined,
  random: () => number = Math.random,
): (delivery: Delivery) => Promise<void> {
  if (!faultsOn(faults)) return deliver;
  return async (delivery) => {
    const copies = faults.redeliver > 0 ? 1 + Math.floor(random() * faults.redeliver) : 0;
    const original = deliver(droppingAcks(delivery, faults.dropAckRate, random));
    const alongside = copies > 0 ? deliver(copyOf(delivery)) : undefined;
    await Promise.all([original, alongside]);
    await Promise.all(Array.from({ length: Math.max(0, copies - 1) }, () => deliver(copyOf(delivery))));
  };
}
