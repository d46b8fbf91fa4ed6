// What the analytics projection needs of payment's facts: a refund's `refundedTotal`,
// the order's refunds so far. Delivered by messages.ts.
import { analyticsHears } from './messages.ts';

analyticsHears('payment', { 'payment.refunded': [] });
