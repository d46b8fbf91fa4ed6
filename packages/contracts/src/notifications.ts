import Type, { type Static } from 'typebox';
import { ListQuery, Page } from './common.ts';

// Notification API v1: what the platform told people, and (admin) the embedded
// mail sink's mailbox.

export const NotificationKind = Type.Union([
  Type.Literal('welcome'),
  Type.Literal('order-confirmed'),
  Type.Literal('order-cancelled'),
  Type.Literal('order-rejected'),
  Type.Literal('shipment-shipped'),
  Type.Literal('shipment-delivered'),
  Type.Literal('payment-refunded'),
]);
export type NotificationKind = Static<typeof NotificationKind>;

export const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('push')]);
export type Channel = Static<typeof Channel>;

/** `sending`: claimed by a sender right now; `failed`: gave up (permanent error, or out of attempts). */
export const DeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sending'),
  Type.Literal('sent'),
  Type.Literal('failed'),
]);
export type DeliveryStatus = Static<typeof DeliveryStatus>;

/** One message on one channel, as its recipient sees it in their list. */
export const Notification = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: NotificationKind,
  channel: Channel,
  subject: Type.String(),
  status: DeliveryStatus,
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type Notification = Static<typeof Notification>;

export const NotificationQuery = ListQuery(
  { status: Type.Optional(DeliveryStatus) },
  { additionalProperties: false },
);
export const NotificationList = Page(Notification);

/** What an operator sees: who, where to, how many attempts, and why it failed. */
export const DeliveryRecord = Type.Object({
  ...Notification.properties,
  userId: Type.Union([Type.String(), Type.Null()]),
  recipient: Type.Union([Type.String(), Type.Null()]),
  eventId: Type.String(),
  eventType: Type.String(),
  attempts: Type.Integer({ minimum: 0 }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type DeliveryRecord = Static<typeof DeliveryRecord>;

export const DeliveryQuery = ListQuery(
  {
    status: Type.Optional(DeliveryStatus),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export const DeliveryList = Page(DeliveryRecord);

/** A message the embedded SMTP sink accepted, parsed. */
export const MailboxMessage = Type.Object({
  id: Type.String(),
  messageId: Type.Union([Type.String(), Type.Null()]),
  from: Type.String(),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
});
export type MailboxMessage = Static<typeof MailboxMessage>;

export const MailboxQuery = ListQuery(
  { to: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })) },
  { additionalProperties: false },
);
export const Mailbox = Page(MailboxMessage);

/** The sink's own loopback answer: newest first, `total` before paging. */
export const SinkPage = Type.Object({
  data: Type.Array(MailboxMessage),
  total: Type.Integer({ minimum: 0 }),
});
export type SinkPage = Static<typeof SinkPage>;
