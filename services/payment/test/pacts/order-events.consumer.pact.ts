// What payment needs of the order's messages: the saga's commands (`payment-commands`
// authorizes the amount on the payment method, captures what was authorized, authorized
// first here, or cancels) and, in choreography, the order's facts (`payment-choreography`
// authorizes the new order's total; a timeout sets its hold to lapse). Delivered by
// messages.ts; each case is about an order of its own.
import { afterAuthorizing, anOrder, paymentHears } from './messages.ts';

paymentHears('order', [
  { group: 'payment-commands', type: 'payment.authorize', example: anOrder(), command: true },
  {
    group: 'payment-commands',
    type: 'payment.capture',
    example: anOrder(),
    command: true,
    prepare: afterAuthorizing,
  },
  { group: 'payment-commands', type: 'payment.cancel', example: anOrder(), command: true },
  { group: 'payment-choreography', type: 'order.created', example: anOrder() },
  { group: 'payment-choreography', type: 'order.timed-out', example: anOrder(), prepare: afterAuthorizing },
]);
