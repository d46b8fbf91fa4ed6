import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from '../logger.ts';
import type { BusDriver, Delivery, Subscription } from './driver.ts';
import type { Envelope } from './envelope.ts';
import { type BusFaults, stormDeliverer, warnOfFaults } from './faults.ts';

const STREAM = 'EVENTS';
const SUBJECT_PREFIX = 'events.';

/** JetStream names may not contain `.`, `*`, `>` or spaces. */
function durableName(group: string, type: string): string {
  return `${group}__${type}`.replace(/[.*>\s]/g, '_');
}

/** The message as JSON, or as text if it is not JSON (it then fails validation, visibly). */
function bodyOf(message: JsMsg): unknown {
  try {
    return message.json();
  } catch {
    return message.string();
  }
}

/** The narrowest subject filter covering every type: `events.shop.order.>` for two order types. */
export function commonFilter(types: string[]): string {
  const split = types.map((type) => type.split('.'));
  const shortest = Math.min(...split.map((tokens) => tokens.length));
  const shared: string[] = [];
  for (let i = 0; i < shortest; i++) {
    const token = split[0]?.[i];
    if (token === undefined || !split.every((tokens) => tokens[i] === token)) break;
    shared.push(token);
  }
  if (types.length === 1) return `${SUBJECT_PREFIX}${types[0]}`;
  return `${SUBJECT_PREFIX}${shared.length ? `${shared.join('.')}.` : ''}>`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/**
 * The distributed bus: NATS JetStream. One file-backed stream holds every event
 * (subject `events.<type>`); each group has one durable pull consumer per type it
 * wants, shared by the group's instances. Publishing waits for the stream's ack and
 * sets `Nats-Msg-Id` to the event id, so the relay's re-sends within the stream's
 * duplicate window are dropped by the server (later ones by the consumers' inbox).
 */
export function createNatsDriver(options: {
  url: string;
  log: Logger;
  name: string;
  replicas?: number;
  /** How long a delivered message waits for its ack before it is redelivered. */
  ackWaitMs?: number;
  /** How long the stream keeps events (new groups and replays read them); default 365 days. */
  retentionMs?: number;
  /** Chaos testing only: deliveries repeated, acks dropped (faults.ts). */
  faults?: BusFaults | undefined;
}): BusDriver {
  const log = options.log;
  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let jsm: JetStreamManager | undefined;

  function client() {
    if (!nc || !js || !jsm) throw new Error('the NATS driver is not started');
    return { nc, js, jsm };
  }

  async function ensureConsumer(group: string, type: string): Promise<string> {
    const name = durableName(group, type);
    try {
      await client().jsm.consumers.info(STREAM, name);
    } catch {
      await client().jsm.consumers.add(STREAM, {
        durable_name: name,
        filter_subject: `${SUBJECT_PREFIX}${type}`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(options.ackWaitMs ?? 30_000),
        // Attempts are counted and ended by the consumer (term), not by the server.
        max_deliver: -1,
      });
    }
    return name;
  }

  function toDelivery(message: JsMsg): Delivery {
    return {
      body: bodyOf(message),
      attempt: message.info.deliveryCount,
      // Not confirmed (no round trip): the effect and its inbox row are committed, so an
      // ack lost on the way only makes a redelivery, which the inbox finds and drops.
      ack: async () => message.ack(),
      retry: async (delayMs) => message.nak(delayMs),
      // A plain +TERM: servers before 2.10 ignore `+TERM <reason>` as an unknown ack
      // (and redeliver forever). The reason is kept with the dead letter instead.
      drop: async () => message.term(),
    };
  }

  async function subscribe(
    group: string,
    types: string[],
    handOver: (delivery: Delivery) => Promise<void>,
    { concurrency }: { concurrency: number },
  ): Promise<Subscription> {
    const deliver = stormDeliverer(handOver, options.faults);
    const names = await Promise.all(types.map((type) => ensureConsumer(group, type)));
    const streams = await Promise.all(
      names.map(async (name) => {
        const consumer = await client().js.consumers.get(STREAM, name);
        const messages = await consumer.consume({ max_messages: concurrency });
        const inFlight = new Set<Promise<void>>();
        const done = (async () => {
          for await (const message of messages) {
            const handling = deliver(toDelivery(message)).catch((error: unknown) =>
              log.error({ err: error, group }, 'delivery failed'),
            );
            inFlight.add(handling);
            void handling.finally(() => inFlight.delete(handling));
            if (inFlight.size >= concurrency) await Promise.race(inFlight);
          }
          await Promise.all(inFlight);
        })();
        return { consumer, messages, done };
      }),
    );
    return {
      async pending() {
        const infos = await Promise.all(streams.map(({ consumer }) => consumer.info()));
        return infos.reduce((sum, info) => sum + info.num_pending + info.num_ack_pending, 0);
      },
      async stop() {
        for (const { messages } of streams) await messages.close();
        await Promise.all(streams.map(({ done }) => done));
      },
    };
  }

  async function history(types: string[], visit: (body: unknown) => Promise<void>): Promise<void> {
    const { js, jsm } = client();
    const wanted = new Set(types.map((type) => `${SUBJECT_PREFIX}${type}`));
    // One ordered consumer keeps the stream's order across types. Servers before 2.10
    // take one filter only: the types' common prefix, the rest is skipped here.
    const filter = commonFilter(types);
    const { state } = await jsm.streams.info(STREAM, { subjects_filter: filter });
    const matching = Object.values(state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
    if (matching === 0) return;
    const consumer = await js.consumers.get(STREAM, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.All,
    });
    for (;;) {
      let received = 0;
      const batch = await consumer.fetch({ max_messages: 500, expires: 5_000 });
      for await (const message of batch) {
        received++;
        if (wanted.has(message.subject)) await visit(bodyOf(message));
        if (message.info.pending === 0) return;
      }
      if (received === 0) return;
    }
  }

  return {
    name: 'nats',
    async start() {
      warnOfFaults(log, 'nats', options.faults);
      nc = await connect({
        servers: options.url,
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
      });
      js = jetstream(nc);
      jsm = await jetstreamManager(nc);
      const maxAge = nanos(options.retentionMs ?? 365 * 24 * 3600 * 1000);
      let existing: Awaited<ReturnType<JetStreamManager['streams']['info']>> | undefined;
      try {
        existing = await jsm.streams.info(STREAM);
      } catch {
        await jsm.streams.add({
          name: STREAM,
          subjects: [`${SUBJECT_PREFIX}>`],
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          max_age: maxAge,
          duplicate_window: nanos(120_000),
          num_replicas: options.replicas ?? 1,
        });
        log.info({ stream: STREAM }, 'JetStream stream created');
      }
      if (existing && existing.config.max_age !== maxAge) {
        // The history a replay can read is the stream's age limit: keep it as configured.
        await jsm.streams.update(STREAM, { max_age: maxAge });
        log.info({ stream: STREAM, retentionMs: options.retentionMs }, 'JetStream stream retention changed');
      }
    },
    async publish(envelopes: Envelope[]) {
      const { js } = client();
      // Sent back to back on one connection, so the stream stores them in this order.
      await Promise.all(
        envelopes.map((envelope) =>
          js.publish(`${SUBJECT_PREFIX}${envelope.type}`, JSON.stringify(envelope), { msgID: envelope.id }),
        ),
      );
    },
    subscribe,
    history,
    async ping() {
      await withTimeout(client().nc.rtt(), 2_000, 'NATS round trip');
    },
    async close() {
      await nc?.drain().catch(() => undefined);
    },
  };
}
