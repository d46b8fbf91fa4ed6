// What notification needs of the order's facts: `order.created` keeps its copy of the
// order (items, totals, address); a confirmation, a rejection or a cancellation (with
// its `reason`) is told to the order's user. Delivered by messages.ts.
import { about, notificationHears } from './messages.ts';

notificationHears('order', [
  about('order.created', { copiesFirst: false }),
  about('order.confirmed'),
  about('order.rejected'),
  about('order.cancelled'),
]);
