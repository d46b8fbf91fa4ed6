import {
  createPostgresDriver,
  createService,
  type Envelope,
  type MessageOf,
  openBus,
  openDatabase,
  type Service,
} from '@platform/chassis';
import { type EventData, type EventType, eventSchemas } from '@platform/contracts';
import { createTestDatabase, type TestDatabase } from './index.ts';

/**
 * Stands in for the order saga in a participant's own tests: sends commands over a
 * real bus (through a real outbox) and records every event it hears, so a test can
 * wait for the reply to its command. In the order's own tests it stands in for the
 * participants: it hears the saga's commands and answers them.
 */
export interface SagaProbe {
  /** Sends a command for `orderId` with `replyto: "order-saga"`. */
  send<T extends EventType>(type: T, data: EventData<T>, orderId: string): Promise<Envelope>;
  /** Sends several commands in one transaction, so they reach their consumer together (a batch). */
  sendAll(
    commands: Array<{ type: EventType; data: EventData<EventType>; orderId: string }>,
  ): Promise<Envelope[]>;
  /** Publishes an event as if another service had (choreography). */
  publish<T extends EventType>(type: T, data: EventData<T>, orderId: string): Promise<Envelope>;
  /** Publishes several events in one transaction, so they reach their consumers together (a batch). */
  publishAll(
    events: Array<{ type: EventType; data: EventData<EventType>; orderId: string }>,
  ): Promise<Envelope[]>;
  /** Answers `command` as its participant would: same subject and correlation, `causationid` its id. */
  reply<T extends EventType>(command: Envelope, type: T, data: EventData<T>): Promise<Envelope>;
  /** Answers several commands in one transaction, so they reach their consumer together (a batch). */
  replyAll(
    answers: Array<{ command: Envelope; type: EventType; data: EventData<EventType> }>,
  ): Promise<Envelope[]>;
  /** The first heard event matching, waiting up to `timeoutMs`. */
  next(match: (event: Envelope) => boolean, timeoutMs?: number): Promise<Envelope>;
  /** Everything heard so far. */
  heard(): Envelope[];
  close(): Promise<void>;
}

/** A probe on the bus database `busUrl`, hearing `listen` (event types). */
export async function startSagaProbe(busUrl: string, listen: EventType[]): Promise<SagaProbe> {
  const database: TestDatabase = await createTestDatabase('saga_probe');
  const service: Service = await createService({ name: 'order', logLevel: 'silent' });
  const pool = await openDatabase(service, { url: database.url });
  const driver = createPostgresDriver({ url: busUrl, log: service.log, leaseMs: 5_000 });
  const bus = await openBus(service, { pool, databaseUrl: database.url, driver, schemas: eventSchemas });
  const events: Envelope[] = [];
  const waiters = new Set<() => void>();
  await bus.subscribe(`probe-${database.name}`, listen, async (event) => {
    events.push(event);
    for (const wake of waiters) wake();
  });
  const message = (type: EventType, data: unknown, orderId: string) =>
    ({ type, data, subject: orderId }) as MessageOf<typeof eventSchemas>;
  return {
    send: (type, data, orderId) =>
      bus.transaction((tx) => tx.send({ ...message(type, data, orderId), replyTo: 'order-saga' })),
    sendAll: (commands) =>
      bus.transaction(async (tx) => {
        const sent: Envelope[] = [];
        for (const { type, data, orderId } of commands)
          sent.push(await tx.send({ ...message(type, data, orderId), replyTo: 'order-saga' }));
        return sent;
      }),
    publish: (type, data, orderId) => bus.transaction((tx) => tx.publish(message(type, data, orderId))),
    publishAll: (events) =>
      bus.transaction(async (tx) => {
        const sent: Envelope[] = [];
        for (const { type, data, orderId } of events)
          sent.push(await tx.publish(message(type, data, orderId)));
        return sent;
      }),
    reply: (command, type, data) =>
      bus.transaction((tx) => tx.reply(command, message(type, data, command.subject ?? ''))),
    replyAll: (answers) =>
      bus.transaction(async (tx) => {
        const sent: Envelope[] = [];
        for (const { command, type, data } of answers)
          sent.push(await tx.reply(command, message(type, data, command.subject ?? '')));
        return sent;
      }),
    async next(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `no matching event within ${timeoutMs} ms; heard ${events.map((e) => e.type).join(', ')}`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    heard: () => [...events],
    async close() {
      await service.shutdown('probe closed');
      await database.drop();
    },
  };
}
