// Notification as its message pacts' consumer: the real notification service on
// throwaway databases, its e-mail going to the launcher's real SMTP sink (SMS and push
// to the log), so what a handled event sends can be read back. A notice needs the
// copies it is addressed from, the user's and the order's: a case sets them up first
// through the service itself, with the events that feed them, as the bus would
// otherwise retry.
import { randomBytes, randomUUID } from 'node:crypto';
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import { type EventType, eventSchemas } from '@platform/contracts';
import { type MailSink, startMailSink } from '@platform/launcher/mail-sink';
import { startServiceUnderTest, testPool } from '@platform/testkit';
import { type Consumer, consumerPacts, type Instance, type MessageCase } from '@platform/testkit/pact';
import { checkNotificationConfig, NotificationConfig } from '../../src/config.ts';
import { GROUP } from '../../src/handlers.ts';
import { startNotification } from '../../src/service.ts';
import { orderCreated, registered } from '../harness.ts';

export { GROUP };

export interface Notifications {
  /** The order `orderId` of the user `userId` is known, and so is the user. */
  copies(orderId: string, userId: string): Promise<void>;
  /** The copy kept of a user. */
  userCopy(userId: string): Promise<{ email: string; channels: unknown } | undefined>;
  /** Every e-mail sent so far. */
  mails(): Promise<Array<{ to: string[] }>>;
}

export type Case = MessageCase<Notifications>;

/** A case's `prepare`: the message's order and its user are known first. */
export const afterCopies: Case['prepare'] = (content, notifications) =>
  notifications.copies(content.orderId as string, (content.userId as string | undefined) ?? randomUUID());

/** The sinks of the instances started, by their service's base URL. */
const sinks = new Map<string, MailSink>();

function notificationsOf({ service, feed }: Instance): Notifications & { close(): Promise<void> } {
  const pool = testPool(service.database.url, 1);
  const sink = sinks.get(service.base);
  return {
    async copies(orderId, userId) {
      await feed(GROUP, 'identity.user.registered', registered({ userId }));
      await feed(GROUP, 'order.created', orderCreated(userId, orderId));
    },
    async userCopy(userId) {
      const { rows } = await pool.query<{ email: string; channels: unknown }>(
        'SELECT email, channels FROM users WHERE user_id = $1',
        [userId],
      );
      return rows[0];
    },
    mails: async () => (await sink?.messages()) ?? [],
    async close() {
      await pool.end();
      await sink?.stop();
      sinks.delete(service.base);
    },
  };
}

const notification: Consumer<Notifications> = {
  service: 'notification',
  async start(_key, label) {
    const sink = await startMailSink({ token: randomBytes(18).toString('base64url') });
    const service = await startServiceUnderTest(label, (env) =>
      startNotification(
        checkNotificationConfig(
          loadConfig(NotificationConfig, { ...env, SMTP_URL: sink.smtpUrl, NOTIFY_POLL_MS: '50' }),
        ),
        { discovery: staticDiscovery({}) },
      ),
    ).catch(async (error: unknown) => {
      await sink.stop();
      throw error;
    });
    sinks.set(service.base, sink);
    return service;
  },
  helpers: notificationsOf,
};

/** One pact test per case: `producer`'s message delivered to the `notification` group. */
export function notificationHears(producer: string, cases: Case[]): void {
  consumerPacts(notification, producer, cases);
}

/**
 * The case of a `type` message about an order of its own, to a user named by any
 * string, with the order and the user known first unless `copiesFirst` is false.
 */
export function about(type: EventType, { copiesFirst = true } = {}): Case {
  const addressed = 'userId' in (eventSchemas[type].properties as object);
  const example = {
    with: {
      orderId: MatchersV3.uuid(randomUUID()),
      ...(addressed ? { userId: MatchersV3.like(randomUUID()) } : {}),
    },
  };
  return { group: GROUP, type, example, ...(copiesFirst ? { prepare: afterCopies } : {}) };
}
