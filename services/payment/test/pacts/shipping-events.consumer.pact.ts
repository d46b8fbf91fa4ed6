// What payment's choreography needs of shipping's facts: a booked shipment captures the
// authorized payment (authorized first, by the order's creation); a failed or cancelled
// one cancels it.
import { anOrder, paymentHears } from './checkout-messages.ts';

paymentHears('shipping', [
  { group: 'payment-choreography', type: 'shipping.scheduled', example: anOrder(), authorizedFirst: true },
  { group: 'payment-choreography', type: 'shipping.failed', example: anOrder(), authorizedFirst: true },
  { group: 'payment-choreography', type: 'shipping.cancelled', example: anOrder() },
]);
