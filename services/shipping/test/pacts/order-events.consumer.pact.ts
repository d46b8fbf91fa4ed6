// What shipping needs of the order's messages: the saga's commands (`shipping-commands`
// books the parcel for the address and lines, or cancels the booking) and, in
// choreography, the order's facts (`shipping-choreography` notes the order's details,
// or cancels on a timeout or the customer's cancel). Delivered by messages.ts.
import { shippingHears } from './messages.ts';

shippingHears(
  'order',
  {
    'shipping-commands': ['shipping.schedule-shipment', 'shipping.cancel-shipment'],
    'shipping-choreography': ['order.created', 'order.timed-out', 'order.cancel-requested'],
  },
  { commands: ['shipping.schedule-shipment', 'shipping.cancel-shipment'] },
);
