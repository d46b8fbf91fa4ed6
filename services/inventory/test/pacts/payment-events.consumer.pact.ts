// What inventory's choreography needs of payment's facts: a failed payment releases the
// order's stock (an order with none is released all the same, so a late reserve is refused).
import { anOrder, inventoryHears } from './messages.ts';

inventoryHears('payment', [{ group: 'inventory-choreography', type: 'payment.failed', example: anOrder() }]);
