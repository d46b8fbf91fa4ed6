// What the order needs of payment's answers: the orchestrated saga (`order-saga`) and
// choreography's follower (`order-choreography`) read each as the outcome of the
// authorize, capture or cancel step (a failure's `code`). Each is delivered to the real
// order service of that mode (messages.ts).
import type { EventType } from '@platform/contracts';
import { orderHears } from './messages.ts';

const ANSWERS: EventType[] = [
  'payment.authorized',
  'payment.failed',
  'payment.captured',
  'payment.voided',
  'payment.refunded',
];

orderHears('payment', { 'order-saga': ANSWERS, 'order-choreography': ANSWERS });
