export {
  type Bus,
  type BusConfig,
  driverFromConfig,
  type MessageOf,
  openBus,
  type Schemas,
  type Tx,
} from './bus.ts';
export type { EventHandler, HandlerContext } from './consumer.ts';
export type { DeadLetter, DeadLetterStore } from './dead-letters.ts';
export type { BusDriver, Delivery, Subscription } from './driver.ts';
export { createEnvelope, Envelope, type OutgoingMessage, parseEnvelope } from './envelope.ts';
export type { BusFaults } from './faults.ts';
export { createNatsDriver } from './nats-driver.ts';
export { createPostgresDriver } from './postgres-driver.ts';
export { defaultRetryPolicy, type RetryPolicy, redeliveryPlan } from './retry.ts';
