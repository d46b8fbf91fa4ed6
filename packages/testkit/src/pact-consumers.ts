// A consuming service's message pacts as a table of cases: the real service started on
// throwaway databases (one instance per saga mode its groups need), every case's
// message delivered to it over its real bus and handled, state a handler needs set up
// first through the service itself, and what the service subscribed recorded for the
// coverage check (pacts/coverage.test.ts). One way for every consumer's pact tests.
import { after, before, test } from 'node:test';
import type { EventData, EventType } from '@platform/contracts';
import type { ServiceUnderTest } from './index.ts';
import { type ExampleOptions, messageExample } from './pact-examples.ts';
import { consumerPact, eventsOf } from './pact-files.ts';
import { type MessageDelivery, recordSubscriptions, startMessageDelivery } from './pact-messages.ts';

/** Feeds a consumer a message as its producer would (to set up state): resolves once handled. */
export type Feed = <T extends EventType>(
  group: string,
  type: T,
  data: EventData<T>,
  options?: { command?: boolean },
) => Promise<void>;

/** A started instance, for a consumer's helpers to set up state through. */
export interface Instance {
  /** Which instance: the saga mode, or `default`. */
  key: string;
  service: ServiceUnderTest;
  feed: Feed;
}

export interface Consumer<H> {
  /** The consuming service, as its subscriptions are recorded. */
  service: string;
  /** The instance that runs each group (by saga mode); groups not named run on `default`. */
  instanceOf?: Record<string, string>;
  start(key: string, label: string): Promise<ServiceUnderTest>;
  /** What cases set up state with, on one instance; `close` is called before it stops. */
  helpers?(instance: Instance): H & { close?(): Promise<void> };
}

export interface MessageCase<H> {
  group: string;
  type: EventType;
  /** The test's name (default: "<group> handles <type>"). */
  title?: string;
  /** What the group needs of the message beyond the contract's required fields. */
  example?: ExampleOptions;
  /** The saga's command: sent, with a reply-to, rather than published. */
  command?: boolean;
  /** Sets up what handling `content` needs, through the service, before it is delivered. */
  prepare?(content: Record<string, unknown>, helpers: H): Promise<void>;
  /** Checks what handling `content` did. */
  verify?(content: Record<string, unknown>, helpers: H): Promise<void>;
}

interface Started<H> {
  service: ServiceUnderTest;
  delivery: MessageDelivery;
  helpers: H & { close?(): Promise<void> };
}

async function startInstance<H>(consumer: Consumer<H>, key: string, label: string): Promise<Started<H>> {
  const service = await consumer.start(key, label);
  const delivery = await startMessageDelivery(service.busUrl, service.database.url);
  await recordSubscriptions(consumer.service, service.base, await service.issuer.token(['admin']));
  const feed: Feed = (group, type, data, options) =>
    delivery.deliver(group, type, { contents: { content: data } }, options);
  const helpers = consumer.helpers?.({ key, service, feed }) ?? ({} as H & { close?(): Promise<void> });
  return { service, delivery, helpers };
}

/** One pact test per case: `producer`'s message, delivered to the instance that runs its group. */
export function consumerPacts<H>(consumer: Consumer<H>, producer: string, cases: MessageCase<H>[]): void {
  const keyOf = (group: string) => consumer.instanceOf?.[group] ?? 'default';
  const started = new Map<string, Started<H>>();
  before(async () => {
    for (const key of new Set(cases.map((each) => keyOf(each.group)))) {
      started.set(key, await startInstance(consumer, key, `${consumer.service}_${producer}_${key}`));
    }
  });
  after(async () => {
    for (const { service, delivery, helpers } of started.values()) {
      await helpers.close?.();
      await delivery.close();
      await service.close();
    }
  });
  for (const each of cases) {
    test(each.title ?? `${each.group} handles ${each.type}`, async () => {
      const instance = started.get(keyOf(each.group));
      if (!instance) throw new Error(`${consumer.service} started no instance for ${each.group}`);
      await consumerPact(each.group, eventsOf(producer))
        .addAsynchronousInteraction()
        .expectsToReceive(each.type, (message) =>
          message.withJSONContent(messageExample(each.type, each.example)),
        )
        .executeTest(async (message) => {
          const content = message.contents.content as Record<string, unknown>;
          await each.prepare?.(content, instance.helpers);
          await instance.delivery.deliver(each.group, each.type, message, { command: each.command ?? false });
          await each.verify?.(content, instance.helpers);
        });
    });
  }
}
