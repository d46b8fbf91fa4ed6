// What the `notification` group needs of identity's user events: it keeps a copy of
// each user (the address it writes to, the name it greets, the channels chosen in
// `preferences.notifications`, the version that orders the copies) and welcomes a
// new one by e-mail. So the e-mail must look like an address, and an update carries
// the channel choices. Each message is delivered to the real notification over its
// real bus and must be handled (an inbox row, no dead letter) with that effect;
// identity's verification replays these pacts against the events it really publishes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { eventually, testPool } from '@platform/testkit';
import {
  consumerPact,
  eventsOf,
  type MessageDelivery,
  messageExample,
  type PactMessage,
  startMessageDelivery,
} from '@platform/testkit/pact';
import type pg from 'pg';
import { GROUP } from '../../src/handlers.ts';
import { type NotificationUnderTest, startNotificationUnderTest } from './notification-under-test.ts';

const { integer, regex } = MatchersV3;

/** An e-mail address, as the welcome is sent to it. */
const email = regex('^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', 'ada@example.test');
const CHANNELS = [
  'preferences.notifications',
  ...['email', 'sms', 'push'].map((channel) => `preferences.notifications.${channel}`),
];

let notification: NotificationUnderTest;
let delivery: MessageDelivery;
let db: pg.Pool;
before(async () => {
  notification = await startNotificationUnderTest('notification_identity_pacts');
  delivery = await startMessageDelivery(notification.busUrl, notification.database.url);
  db = testPool(notification.database.url, 1);
});
after(async () => {
  await db.end();
  await delivery.close();
  await notification.close();
});

interface UserMessage {
  userId: string;
  email: string;
  preferences: { notifications?: Record<string, boolean> };
}

/** The user the pact's message is about, as delivered. */
function userIn(message: PactMessage): UserMessage {
  return message.contents.content as UserMessage;
}

async function userCopy(userId: string): Promise<{ email: string; channels: unknown } | undefined> {
  const { rows } = await db.query<{ email: string; channels: unknown }>(
    'SELECT email, channels FROM users WHERE user_id = $1',
    [userId],
  );
  return rows[0];
}

// In this order: the user the pact's example names registers, then changes preferences.
test(`${GROUP} keeps a registered user and welcomes them by e-mail`, async () => {
  const type = 'identity.user.registered';
  await consumerPact(GROUP, eventsOf('identity'))
    .addAsynchronousInteraction()
    .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type, { with: { email } })))
    .executeTest(async (message) => {
      await delivery.deliver(GROUP, type, message);
      const user = userIn(message);
      assert.equal((await userCopy(user.userId))?.email, user.email);
      await eventually(async () => notification.sink.messages().some((mail) => mail.to.includes(user.email)));
    });
});

test(`${GROUP} takes the channels an updated user chose`, async () => {
  const type = 'identity.user.updated';
  // An update comes after the registration: a newer version than the copy's.
  const content = messageExample(type, { with: { email, version: integer(2) }, optional: CHANNELS });
  await consumerPact(GROUP, eventsOf('identity'))
    .addAsynchronousInteraction()
    .expectsToReceive(type, (message) => message.withJSONContent(content))
    .executeTest(async (message) => {
      await delivery.deliver(GROUP, type, message);
      const user = userIn(message);
      assert.deepEqual((await userCopy(user.userId))?.channels, user.preferences.notifications);
    });
});
