import { Compile } from 'typebox/compile';
import { type Pool, withTransaction } from '../db.ts';
import { migrate } from '../migrations.ts';
import type { Service } from '../service.ts';
import { registerConsumerRoute, registerDeadLetterRoutes, registerOutboxRoute } from './admin-routes.ts';
import { batchingDeliverer } from './batching.ts';
import {
  applyOnce,
  type BatchHandler,
  type ConsumerDeps,
  type EventHandler,
  handleDelivery,
} from './consumer.ts';
import { type DeadLetterStore, deadLetterStore } from './dead-letters.ts';
import type { BusDriver, Delivery, Subscription } from './driver.ts';
import { type Envelope, parseEnvelope } from './envelope.ts';
import { DeadLetterNotFound, DeadLetterSettled, ReplayFailed, UnknownConsumerGroup } from './errors.ts';
import { createBusMetrics, registerBusGauges } from './metrics.ts';
import { notifyRelay, startRelay } from './outbox.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
import { publishingTransactions, type Schemas, type Tx } from './transactions.ts';

export interface Bus<S extends Schemas> {
  readonly driver: BusDriver;
  /**
   * Runs `work` in one transaction, its events published if it commits. `beginWith`: a
   * statement (values inlined with `literal`) sent with BEGIN, its result not read: the
   * transaction's locks taken in its first round trip.
   */
  transaction<T>(work: (tx: Tx<S>) => Promise<T>, options?: { beginWith?: string }): Promise<T>;
  /** Handles every event of `types` once per `group`; instances under one group share the work. */
  subscribe(
    group: string,
    types: Array<keyof S & string>,
    handler: EventHandler<Tx<S>>,
    options?: {
      /** Deliveries (or batches) handled at once by this instance; default 8. */
      concurrency?: number;
      /**
       * Up to this many events that arrive together are handled in one transaction
       * (default 1: each alone). Only for handlers whose effects are all in `tx`: a
       * batch that fails is rolled back and its events handled one by one, so a
       * handler with an outside effect (an e-mail, a card charge) would repeat it.
       */
      maxBatch?: number;
      /**
       * With `maxBatch`: how long an event may wait for others to join its batch (default
       * 0: a batch is what arrived together). For groups nobody waits on (a projection,
       * e-mails): at light load their events then share transactions, claims and
       * wake-ups, as they do under load, for a delay of this much.
       */
      lingerMs?: number;
      /**
       * With `maxBatch`: runs first in each batch's transaction, with its fresh events,
       * to take the locks its handlers will need in one order (no deadlocks between
       * batches that share rows).
       */
      lockBatch?: (tx: Tx<S>, events: Envelope[]) => Promise<void>;
      /**
       * A statement (values inlined with `literal`) sent with BEGIN, after the inbox
       * row, in every transaction this group's deliveries run in, lone or batched, with
       * the events it holds: the group's locks taken in the transaction's first round
       * trip, in one order, before any handler runs. Its result is not read.
       */
      beginWith?: (events: Envelope[]) => string;
      /**
       * With `maxBatch`: a batch's fresh events are handled in one call, not `handler`
       * for each: for a handler that writes many events' effects in a few statements
       * (a projection). A lone delivery, and each event of a batch that failed, still
       * go to `handler`, which must come to the same as this does for one event.
       */
      handleBatch?: BatchHandler<Tx<S>>;
      /**
       * This group's retries, over the bus's: a group whose events may arrive before
       * the state they follow (a parcel shipped before its order is confirmed) retries
       * for as long as that state can take to arrive.
       */
      retry?: Partial<RetryPolicy>;
    },
  ): Promise<void>;
  readonly deadLetters: DeadLetterStore;
  /** Runs a dead letter's handler again, as a fresh delivery; rejects if it fails again. */
  replay(id: number): Promise<void>;
  /**
   * Visits every retained event of `types`, oldest first, each checked against its
   * contract (one that breaks it is logged and skipped); resolves with how many were
   * visited. For rebuilding a read model from history; it settles no delivery.
   */
  history(types: Array<keyof S & string>, visit: (event: Envelope) => Promise<void>): Promise<number>;
}

/**
 * The service's side of the bus: outbox, inbox and dead-letter tables in its own
 * database, the driver, the relay, `/readyz` and metrics, and the admin routes for
 * dead letters. Stops (consumers, relay, driver) before the pool closes.
 */
export async function openBus<S extends Schemas>(
  service: Service,
  options: {
    pool: Pool;
    databaseUrl: string;
    driver: BusDriver;
    schemas: S;
    retry?: Partial<RetryPolicy>;
    /** Off only to model a producer that dies between commit and relay (tests). */
    relay?: boolean;
  },
): Promise<Bus<S>> {
  const { pool, driver } = options;
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const validators = new Map(
    Object.entries(options.schemas).map(([type, schema]) => [type, Compile(schema)]),
  );
  const metrics = createBusMetrics(service.metrics);
  const deadLetters = deadLetterStore(pool);
  const subscriptions: Array<{ group: string; types: string[]; subscription: Subscription }> = [];
  const consumers = new Map<string, ConsumerDeps<Tx<S>>>();

  await migrate(pool, new URL('../../migrations/messaging/', import.meta.url), {
    log: service.log,
    table: 'messaging_migrations',
  });
  await driver.start();

  function checkData(type: string, data: unknown): string | undefined {
    const validator = validators.get(type);
    if (!validator) return `no schema for message type ${type}`;
    if (validator.Check(data)) return undefined;
    const first = validator.Errors(data)[0];
    return `data breaks the ${type} contract: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`;
  }

  const transactions = publishingTransactions<S>({
    service: service.name,
    checkData,
    log: service.log,
    wakeRelay() {
      if (relay.leading()) {
        relay.wake();
        return;
      }
      // Another instance leads: tell it, outside any transaction. If this is lost (a
      // crash right after the commit), the leader still finds the rows at its next poll.
      notifyRelay(pool).catch((error: unknown) =>
        service.log.debug({ err: error }, 'could not wake the outbox relay'),
      );
    },
  });
  const { beforeCommit, committed } = transactions;

  const relay =
    options.relay === false
      ? { leading: () => false, wake: () => {}, stop: async () => {} }
      : startRelay({
          databaseUrl: options.databaseUrl,
          service: service.name,
          driver,
          log: service.log,
          metrics,
        });

  registerBusGauges(service.metrics, {
    async outbox() {
      const { rows } = await pool.query<{ backlog: number; age: number | null }>(
        `SELECT count(*) AS backlog, extract(epoch FROM now() - min(created_at))::float8 AS age
         FROM outbox WHERE sent_at IS NULL`,
      );
      return { backlog: rows[0]?.backlog ?? 0, oldestAgeSeconds: rows[0]?.age ?? 0 };
    },
    lag: () =>
      Promise.all(
        subscriptions.map(async ({ group, subscription }) => ({
          group,
          pending: await subscription.pending(),
        })),
      ),
  });
  service.addReadinessCheck('bus', () => driver.ping());
  service.onShutdown(async () => {
    for (const { subscription } of subscriptions) await subscription.stop();
    await relay.stop();
    await driver.close();
  });

  const bus: Bus<S> = {
    driver,
    deadLetters,
    async transaction(work, options = {}) {
      let tx: Tx<S> | undefined;
      const result = await withTransaction(
        pool,
        async (client, scope) => {
          const opened = transactions.open(client);
          tx = opened;
          const value = await work(opened);
          beforeCommit(opened, scope);
          return value;
        },
        options.beginWith === undefined ? {} : { startWith: options.beginWith },
      );
      if (tx) committed(tx);
      return result;
    },
    async subscribe(group, types, handler, subscribeOptions = {}) {
      const deps: ConsumerDeps<Tx<S>> = {
        group,
        pool,
        handler,
        ...(subscribeOptions.lockBatch ? { lockBatch: subscribeOptions.lockBatch } : {}),
        ...(subscribeOptions.beginWith ? { beginWith: subscribeOptions.beginWith } : {}),
        ...(subscribeOptions.handleBatch ? { handleBatch: subscribeOptions.handleBatch } : {}),
        validate: (envelope) => checkData(envelope.type, envelope.data),
        openTx: transactions.open,
        beforeCommit,
        committed,
        retry: { ...retry, ...subscribeOptions.retry },
        deadLetters,
        metrics,
        log: service.log,
      };
      consumers.set(group, deps);
      const concurrency = subscribeOptions.concurrency ?? 8;
      const maxBatch = subscribeOptions.maxBatch ?? 1;
      const deliver =
        maxBatch > 1
          ? batchingDeliverer(deps, { maxBatch, concurrency, lingerMs: subscribeOptions.lingerMs ?? 0 })
          : (delivery: Delivery) => handleDelivery(deps, delivery);
      const subscription = await driver.subscribe(group, types, deliver, {
        concurrency: Math.max(concurrency, maxBatch),
      });
      subscriptions.push({ group, types, subscription });
    },
    replay,
    async history(types, visit) {
      let visited = 0;
      await driver.history(types, async (body) => {
        const parsed = parseEnvelope(body);
        const broken =
          'invalid' in parsed ? parsed.invalid : checkData(parsed.envelope.type, parsed.envelope.data);
        if (broken || 'invalid' in parsed) {
          service.log.warn({ reason: broken }, 'history: a message that breaks its contract was skipped');
          return;
        }
        visited++;
        await visit(parsed.envelope);
      });
      return visited;
    },
  };
  registerDeadLetterRoutes(service.app, deadLetters, replay);
  registerOutboxRoute(service.app, pool);
  registerConsumerRoute(service.app, () =>
    Promise.all(
      subscriptions.map(async ({ group, types, subscription }) => ({
        group,
        types: [...types].sort(),
        pending: await subscription.pending(),
      })),
    ),
  );
  return bus;

  async function replay(id: number): Promise<void> {
    const letter = await deadLetters.get(id);
    if (!letter) throw new DeadLetterNotFound(`No dead letter ${id}`);
    if (letter.status !== 'dead') throw new DeadLetterSettled(`Dead letter ${id} is ${letter.status}`);
    const deps = consumers.get(letter.group);
    if (!deps) throw new UnknownConsumerGroup(`This service does not run the group ${letter.group}`);
    const parsed = parseEnvelope(letter.message);
    const reason =
      'invalid' in parsed ? parsed.invalid : checkData(parsed.envelope.type, parsed.envelope.data);
    try {
      if (reason || 'invalid' in parsed) throw new Error(reason);
      await applyOnce(deps, parsed.envelope, letter.attempts + 1);
    } catch (error) {
      await deadLetters.failedReplay(id, (error as Error).message);
      throw new ReplayFailed((error as Error).message);
    }
    await deadLetters.settle(id, 'replayed');
  }
}
