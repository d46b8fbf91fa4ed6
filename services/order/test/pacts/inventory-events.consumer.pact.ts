// What the order needs of inventory's answers: the orchestrated saga (`order-saga`)
// and choreography's follower (`order-choreography`) read each as the outcome of the
// reserve-stock, release-stock or commit-stock step (a failure's `reason`, a wait's
// `until`). Each is delivered to the real order service of that mode (messages.ts).
import type { EventType } from '@platform/contracts';
import { orderHears } from './messages.ts';

const ANSWERS: EventType[] = [
  'inventory.stock.reserved',
  'inventory.stock.reservation-failed',
  'inventory.stock.waiting',
  'inventory.stock.released',
  'inventory.stock.committed',
];

orderHears('inventory', { 'order-saga': ANSWERS, 'order-choreography': ANSWERS });
