import Type, { type Static, type TSchema } from 'typebox';
import { commerceEventSchemas } from './commerce-events.ts';
import { Money } from './common.ts';
import { Channel, NotificationKind } from './notifications.ts';

// Event payloads, by CloudEvents `type`. A released type's payload only ever changes in
// ways old producers and consumers live with (an optional field, a wider type); anything
// else is a new type (`...v2`). `released/messages.json` and its test hold them to it.

const ProductSnapshot = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  name: Type.String(),
  price: Money,
  category: Type.String(),
  version: Type.Integer({ minimum: 1 }),
});

export const CatalogProductCreated = ProductSnapshot;
export const CatalogProductUpdated = ProductSnapshot;
export const CatalogProductDeleted = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  version: Type.Integer({ minimum: 1 }),
});
export const CatalogProductPriceChanged = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  previousPrice: Money,
  price: Money,
  version: Type.Integer({ minimum: 1 }),
});

const NotificationPreferences = Type.Object({
  email: Type.Optional(Type.Boolean()),
  sms: Type.Optional(Type.Boolean()),
  push: Type.Optional(Type.Boolean()),
});

export const IdentityUserRegistered = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  preferences: Type.Object({ notifications: Type.Optional(NotificationPreferences) }),
  version: Type.Integer({ minimum: 1 }),
});
export const IdentityUserUpdated = IdentityUserRegistered;

/** A message left for its recipient: the SMTP server or the channel's provider accepted it. */
export const NotificationSent = Type.Object({
  deliveryId: Type.String({ format: 'uuid' }),
  userId: Type.String(),
  kind: NotificationKind,
  channel: Channel,
  /** The event the message was about. */
  causeId: Type.String(),
  sentAt: Type.String({ format: 'date-time' }),
});

/** Every event type the platform publishes, with the schema of its `data`. */
export const eventSchemas = {
  'identity.user.registered': IdentityUserRegistered,
  'identity.user.updated': IdentityUserUpdated,
  'catalog.product.created': CatalogProductCreated,
  'catalog.product.updated': CatalogProductUpdated,
  'catalog.product.price-changed': CatalogProductPriceChanged,
  'catalog.product.deleted': CatalogProductDeleted,
  'notification.sent': NotificationSent,
  ...commerceEventSchemas,
} satisfies Record<string, TSchema>;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = Static<(typeof eventSchemas)[T]>;
