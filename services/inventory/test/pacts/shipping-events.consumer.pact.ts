// What inventory's choreography needs of shipping's facts: a booked shipment commits the
// order's reserved stock (reserved first, by the order's creation); a failed or
// cancelled one releases it.
import { afterReserving, anOrder, inventoryHears } from './messages.ts';

inventoryHears('shipping', [
  {
    group: 'inventory-choreography',
    type: 'shipping.scheduled',
    example: anOrder(),
    prepare: afterReserving,
  },
  { group: 'inventory-choreography', type: 'shipping.failed', example: anOrder() },
  { group: 'inventory-choreography', type: 'shipping.cancelled', example: anOrder() },
]);
