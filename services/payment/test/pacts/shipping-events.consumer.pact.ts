// What payment's choreography needs of shipping's facts: a booked shipment captures the
// authorized payment (authorized first, by the order's creation); a failed or cancelled
// one cancels it.
import { afterAuthorizing, anOrder, paymentHears } from './messages.ts';

paymentHears('shipping', [
  {
    group: 'payment-choreography',
    type: 'shipping.scheduled',
    example: anOrder(),
    prepare: afterAuthorizing,
  },
  { group: 'payment-choreography', type: 'shipping.failed', example: anOrder(), prepare: afterAuthorizing },
  { group: 'payment-choreography', type: 'shipping.cancelled', example: anOrder() },
]);
