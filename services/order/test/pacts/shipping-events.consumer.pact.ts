// What the order needs of shipping's messages: the orchestrated saga (`order-saga`) and
// choreography's follower (`order-choreography`) read the answers as the outcome of the
// schedule or cancel step (the booking's `trackingNumber`, a failure's `reason`), and
// `order-tracking` follows the parcel. Each is delivered to the real order service of
// a mode that runs the group (messages.ts).
import type { EventType } from '@platform/contracts';
import { orderHears } from './messages.ts';

const ANSWERS: EventType[] = [
  'shipping.scheduled',
  'shipping.failed',
  'shipping.cancelled',
  'shipping.cancel-refused',
];

orderHears('shipping', {
  'order-saga': ANSWERS,
  'order-choreography': ANSWERS,
  'order-tracking': ['shipping.shipped', 'shipping.delivered'],
});
