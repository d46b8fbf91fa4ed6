import type { Envelope } from './envelope.ts';

/** One delivery of a message to one consumer group, with the driver's ways to settle it. */
export interface Delivery {
  /** The message as it came off the bus: usually an envelope, but not trusted to be one. */
  readonly body: unknown;
  /** 1 for the first delivery to this group, 2 for the first redelivery, ... */
  readonly attempt: number;
  ack(): Promise<void>;
  /** Deliver again to the group after `delayMs`. */
  retry(delayMs: number, reason: string): Promise<void>;
  /** Never deliver again (the consumer recorded it as a dead letter). */
  drop(reason: string): Promise<void>;
}

export interface Subscription {
  /** Messages this group has not yet handled (consumer lag). */
  pending(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * What a broker must do for the platform's bus. `publish` resolves only once the
 * message is durably stored; every group subscribed to a type gets each message of
 * it at least once; instances subscribing under one group share the messages.
 */
export interface BusDriver {
  readonly name: 'postgres' | 'nats';
  /** Creates streams, tables and the like, idempotently. */
  start(): Promise<void>;
  publish(envelopes: Envelope[]): Promise<void>;
  subscribe(
    group: string,
    types: string[],
    deliver: (delivery: Delivery) => Promise<void>,
    options: { concurrency: number },
  ): Promise<Subscription>;
  /**
   * Every retained message of `types`, oldest first (publish order), visited one at
   * a time: the history a read model is rebuilt from. Reads alone; settles nothing.
   */
  history(types: string[], visit: (body: unknown) => Promise<void>): Promise<void>;
  /** Rejects if the broker cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
