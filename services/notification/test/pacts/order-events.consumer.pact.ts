// What notification needs of the order's facts: `order.created` keeps its copy of the
// order (items, totals, address); a confirmation, a rejection or a cancellation (with
// its `reason`) is told to the order's user. Delivered by checkout-messages.ts.
import { notificationHears } from './checkout-messages.ts';

notificationHears('order', [
  { type: 'order.created' },
  { type: 'order.confirmed', copiesFirst: true },
  { type: 'order.rejected', copiesFirst: true },
  { type: 'order.cancelled', copiesFirst: true },
]);
