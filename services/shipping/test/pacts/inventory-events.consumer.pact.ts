// What shipping's choreography needs of inventory's facts: stock reserved is one of the
// three facts a booking waits for; a failed reservation cancels (or leaves a tombstone).
import { shippingHears } from './messages.ts';

shippingHears('inventory', {
  'shipping-choreography': ['inventory.stock.reserved', 'inventory.stock.reservation-failed'],
});
