// What notification needs of shipping's facts: a parcel shipped or delivered (its
// `trackingNumber` and `at`) is told to the user of the order it is about.
import { notificationHears } from './checkout-messages.ts';

notificationHears('shipping', [
  { type: 'shipping.shipped', copiesFirst: true },
  { type: 'shipping.delivered', copiesFirst: true },
]);
