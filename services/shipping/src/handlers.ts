import type { Bus, Envelope } from '@platform/chassis';
import type { EventData, EventType, eventSchemas } from '@platform/contracts';
import { type CarrierRules, cancelShipment, scheduleShipment } from './shipments.ts';

// Orchestration: the order saga's commands in, replies out (with the command's
// correlation id and subject).

/** The event's data; the bus has already checked it against the contract of its type. */
export function dataOf<T extends EventType>(event: Envelope, _type: T): EventData<T> {
  return event.data as EventData<T>;
}

export async function subscribeToCommands(bus: Bus<typeof eventSchemas>, rules: CarrierRules): Promise<void> {
  await bus.subscribe(
    'shipping-commands',
    ['shipping.schedule-shipment', 'shipping.cancel-shipment'],
    async (command, { tx }) => {
      if (command.type === 'shipping.schedule-shipment') {
        const request = dataOf(command, 'shipping.schedule-shipment');
        await tx.reply(command, await scheduleShipment(tx, request, rules));
      } else if (command.type === 'shipping.cancel-shipment') {
        const { orderId, reason } = dataOf(command, 'shipping.cancel-shipment');
        await tx.reply(command, await cancelShipment(tx, orderId, reason));
      }
    },
    // Every effect is in the transaction (the carrier's rules run here): events that
    // arrive together may share one.
    { maxBatch: 32 },
  );
}
