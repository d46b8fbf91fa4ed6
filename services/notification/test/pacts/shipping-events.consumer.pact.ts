// What notification needs of shipping's facts: a parcel shipped or delivered (its
// `trackingNumber` and `at`) is told to the user of the order it is about.
import { about, notificationHears } from './messages.ts';

notificationHears('shipping', [about('shipping.shipped'), about('shipping.delivered')]);
