// What notification needs of payment's facts: a refund (its `amount` and the
// `refundedTotal`) is told to the user of the order it is about.
import { about, notificationHears } from './messages.ts';

notificationHears('payment', [about('payment.refunded')]);
