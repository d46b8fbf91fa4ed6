import type { notifications } from '@platform/contracts';

// Who hears about what, and how: pure rules, no I/O.

export type Channel = notifications.Channel;
export type Kind = notifications.NotificationKind;

/** The user's choices as identity publishes them; a missing choice takes the default. */
export interface ChannelPreferences {
  email?: boolean | undefined;
  sms?: boolean | undefined;
  push?: boolean | undefined;
}

/** E-mail is on unless switched off; SMS and push are off unless switched on (they cost the user). */
const DEFAULTS: Record<Channel, boolean> = { email: true, sms: false, push: false };

/**
 * The welcome is e-mail only: SMS and push are for what happens to an order, which
 * the user is waiting for, not for greetings.
 */
const KIND_CHANNELS: Record<Kind, readonly Channel[]> = {
  welcome: ['email'],
  'order-confirmed': ['email', 'sms', 'push'],
  'order-cancelled': ['email', 'sms', 'push'],
  'order-rejected': ['email', 'sms', 'push'],
  'shipment-shipped': ['email', 'sms', 'push'],
  'shipment-delivered': ['email', 'sms', 'push'],
  'payment-refunded': ['email', 'sms', 'push'],
};

export const ALL_KINDS = Object.keys(KIND_CHANNELS) as Kind[];

/** The channels one message of `kind` goes out on for a user with `preferences`, in a stable order. */
export function channelsFor(preferences: ChannelPreferences, kind: Kind): Channel[] {
  return KIND_CHANNELS[kind].filter((channel) => preferences[channel] ?? DEFAULTS[channel]);
}
