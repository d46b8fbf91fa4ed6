// What the analytics projection needs of the order's facts: the placed order's lines
// (with the category each was ordered under, for sales by category), totals and time;
// the confirmation's totals; the rejection, cancellation and delivery as such.
// Delivered by messages.ts.
import { analyticsHears } from './messages.ts';

analyticsHears('order', {
  'order.created': ['items[].category'],
  'order.confirmed': [],
  'order.rejected': [],
  'order.cancelled': [],
  'order.delivered': [],
});
