// Notification as a consumer of the checkout's messages: the real notification service
// on throwaway databases (mail to a closed port: sending happens after the commit and
// does not matter here) and a delivery onto its real bus. A notice needs the copies it
// is addressed from, the user's and the order's: a case sets them up first through the
// service itself, with the events that feed them, as the bus would otherwise retry.
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { type ServiceUnderTest, startServiceUnderTest } from '@platform/testkit';
import {
  consumerPact,
  eventsOf,
  type MessageDelivery,
  messageExample,
  startMessageDelivery,
} from '@platform/testkit/pact';
import { checkNotificationConfig, NotificationConfig } from '../../src/config.ts';
import { GROUP } from '../../src/handlers.ts';
import { startNotification } from '../../src/service.ts';
import { orderCreated, registered } from '../harness.ts';

export interface Case {
  type: EventType;
  /** The message's order and its user are known first (every notice but the order's creation). */
  copiesFirst?: boolean;
}

/** One pact test per case: `producer`'s message delivered to the `notification` group. */
export function notificationHears(producer: string, cases: Case[]): void {
  let service: ServiceUnderTest;
  let delivery: MessageDelivery;
  before(async () => {
    service = await startServiceUnderTest(`notification_${producer}_pacts`, (env) =>
      startNotification(
        checkNotificationConfig(
          loadConfig(NotificationConfig, {
            ...env,
            SMTP_URL: 'smtp://127.0.0.1:9',
            NOTIFY_RETRY_BASE_MS: '60000',
          }),
        ),
        { discovery: staticDiscovery({}) },
      ),
    );
    delivery = await startMessageDelivery(service.busUrl, service.database.url);
  });
  after(async () => {
    await delivery.close();
    await service.close();
  });
  const copies = async (orderId: string, userId: string) => {
    const feed = (type: EventType, content: unknown) =>
      delivery.deliver(GROUP, type, { contents: { content } });
    await feed('identity.user.registered', registered({ userId }));
    await feed('order.created', orderCreated(userId, orderId));
  };
  for (const { type, copiesFirst = false } of cases) {
    test(`${GROUP} handles ${type}`, async () => {
      const content = messageExample(type, { with: { orderId: MatchersV3.uuid(randomUUID()) } });
      // The user the notice goes to, where the message names one: any string.
      if ('userId' in content) content.userId = MatchersV3.like(randomUUID());
      await consumerPact(GROUP, eventsOf(producer))
        .addAsynchronousInteraction()
        .expectsToReceive(type, (message) => message.withJSONContent(content))
        .executeTest(async (message) => {
          const data = message.contents.content as { orderId: string; userId?: string };
          if (copiesFirst) await copies(data.orderId, data.userId ?? randomUUID());
          await delivery.deliver(GROUP, type, message);
        });
    });
  }
}
