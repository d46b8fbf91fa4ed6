// What notification needs of payment's facts: a refund (its `amount` and the
// `refundedTotal`) is told to the user of the order it is about.
import { notificationHears } from './checkout-messages.ts';

notificationHears('payment', [{ type: 'payment.refunded', copiesFirst: true }]);
