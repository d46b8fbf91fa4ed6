// What the `notification` group needs of identity's user events: it keeps a copy of
// each user (the address it writes to, the name it greets, the channels chosen in
// `preferences.notifications`, the version that orders the copies) and welcomes a
// new one by e-mail. So the e-mail must look like an address, and an update carries
// the channel choices. Each message is delivered to the real notification and must be
// handled with that effect; identity's verification replays these pacts against the
// events it really publishes. In this order: the user the pact's example names
// registers, then changes preferences.
import assert from 'node:assert/strict';
import { MatchersV3 } from '@pact-foundation/pact';
import { eventually } from '@platform/testkit';
import { GROUP, notificationHears } from './messages.ts';

const { integer, regex } = MatchersV3;

/** An e-mail address, as the welcome is sent to it. */
const email = regex('^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', 'ada@example.test');
const CHANNELS = [
  'preferences.notifications',
  ...['email', 'sms', 'push'].map((channel) => `preferences.notifications.${channel}`),
];

interface UserMessage {
  userId: string;
  email: string;
  preferences: { notifications?: Record<string, boolean> };
}

notificationHears('identity', [
  {
    group: GROUP,
    type: 'identity.user.registered',
    title: `${GROUP} keeps a registered user and welcomes them by e-mail`,
    example: { with: { email } },
    async verify(content, notifications) {
      const user = content as unknown as UserMessage;
      assert.equal((await notifications.userCopy(user.userId))?.email, user.email);
      await eventually(async () =>
        (await notifications.mails()).some((mail) => mail.to.includes(user.email)),
      );
    },
  },
  {
    group: GROUP,
    type: 'identity.user.updated',
    title: `${GROUP} takes the channels an updated user chose`,
    // An update comes after the registration: a newer version than the copy's.
    example: { with: { email, version: integer(2) }, optional: CHANNELS },
    async verify(content, notifications) {
      const user = content as unknown as UserMessage;
      assert.deepEqual((await notifications.userCopy(user.userId))?.channels, user.preferences.notifications);
    },
  },
]);
