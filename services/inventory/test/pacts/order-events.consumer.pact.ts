// What inventory needs of the order's messages: the saga's commands (`inventory-commands`
// reserves the lines, releases or commits the order's reservation: committing needs one,
// made first by a reserve) and, in choreography, `order.created`
// (`inventory-choreography` reserves the order's items). Delivered by messages.ts; each
// case is about an order of its own.
import { afterReserving, anOrder, inventoryHears } from './messages.ts';

inventoryHears('order', [
  { group: 'inventory-commands', type: 'inventory.reserve-stock', example: anOrder(), command: true },
  { group: 'inventory-commands', type: 'inventory.release-stock', example: anOrder(), command: true },
  {
    group: 'inventory-commands',
    type: 'inventory.commit-stock',
    example: anOrder(),
    command: true,
    prepare: afterReserving,
  },
  { group: 'inventory-choreography', type: 'order.created', example: anOrder() },
]);
