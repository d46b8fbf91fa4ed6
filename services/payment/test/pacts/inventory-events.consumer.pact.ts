// What payment's choreography needs of inventory's facts: a failed reservation cancels
// the order's payment (voids the hold, authorized first here).
import { afterAuthorizing, anOrder, paymentHears } from './messages.ts';

paymentHears('inventory', [
  {
    group: 'payment-choreography',
    type: 'inventory.stock.reservation-failed',
    example: anOrder(),
    prepare: afterAuthorizing,
  },
]);
