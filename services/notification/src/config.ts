import type { Static } from '@platform/chassis';
import {
  authConfig,
  baseConfig,
  busConfig,
  ConfigError,
  databaseConfig,
  discoveryConfig,
  Type,
} from '@platform/chassis';

const Transport = (channel: string) =>
  Type.Union([Type.Literal('log'), Type.Literal('webhook')], {
    default: 'log',
    description: `how ${channel} messages leave: written to the log, or POSTed to ${channel.toUpperCase()}_WEBHOOK_URL`,
  });
const WebhookUrl = (channel: string) =>
  Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: `where ${channel} messages are POSTed (webhook transport)`,
    }),
  );

export const NotificationConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  SMTP_URL: Type.String({
    pattern: '^smtps?://',
    default: 'smtp://127.0.0.1:2525',
    description: 'the SMTP server mail goes to: smtp://[user:password@]host:port (smtps:// for implicit TLS)',
  }),
  SMTP_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 10_000,
    description: 'time to connect, be greeted, and for each SMTP exchange',
  }),
  MAIL_FROM: Type.String({
    minLength: 3,
    default: 'Platform Shop <shop@platform.local>',
    description: 'the From of every e-mail',
  }),
  SMS_TRANSPORT: Transport('sms'),
  SMS_WEBHOOK_URL: WebhookUrl('sms'),
  PUSH_TRANSPORT: Transport('push'),
  PUSH_WEBHOOK_URL: WebhookUrl('push'),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  NOTIFY_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    default: 6,
    description: 'send attempts per message before it is recorded as failed',
  }),
  NOTIFY_RETRY_BASE_MS: Type.Integer({
    minimum: 1,
    default: 2_000,
    description: 'first retry delay, doubling',
  }),
  NOTIFY_RETRY_MAX_MS: Type.Integer({ minimum: 1, default: 300_000, description: 'longest retry delay' }),
  NOTIFY_POLL_MS: Type.Integer({
    minimum: 10,
    default: 1_000,
    description: 'how often the sender looks for messages due (new ones wake it at once)',
  }),
  NOTIFY_LEASE_MS: Type.Integer({
    minimum: 1_000,
    default: 60_000,
    description: 'a message claimed by a sender that died is sent again after this',
  }),
  SHOP_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:8080',
    description: 'the shop links in messages point here',
  }),
  MAILBOX_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: "the embedded SMTP sink's read endpoint, behind GET /api/v1/admin/mailbox",
    }),
  ),
  MAILBOX_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'bearer secret of MAILBOX_URL' })),
});
export type NotificationSettings = Static<typeof NotificationConfig>;

/** Settings that only make sense together: a webhook transport needs its URL. */
export function checkNotificationConfig(config: NotificationSettings): NotificationSettings {
  const problems: string[] = [];
  if (config.SMS_TRANSPORT === 'webhook' && !config.SMS_WEBHOOK_URL)
    problems.push('SMS_WEBHOOK_URL is required when SMS_TRANSPORT=webhook');
  if (config.PUSH_TRANSPORT === 'webhook' && !config.PUSH_WEBHOOK_URL)
    problems.push('PUSH_WEBHOOK_URL is required when PUSH_TRANSPORT=webhook');
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}
