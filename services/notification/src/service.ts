import { type Discovery, openDataService, type Service, serve, type TokenSource } from '@platform/chassis';
import { eventSchemas } from '@platform/contracts';
import { registerMessageAudit } from './audit.ts';
import { emailSender } from './channels/email.ts';
import type { Sender } from './channels/sender.ts';
import { logSender, webhookSender } from './channels/webhook.ts';
import type { NotificationSettings } from './config.ts';
import { startDispatcher } from './dispatcher.ts';
import { subscribeToEvents } from './handlers.ts';
import { registerNotificationRoutes } from './http.ts';
import { mailboxReader } from './mailbox.ts';
import { loadTemplates } from './templates.ts';

export interface NotificationDeps {
  discovery?: Discovery;
  /** Accepted for symmetry with the other services: notification calls no peers. */
  tokens?: TokenSource;
  /** Replaces a channel's sender (tests: a webhook that fails on purpose). */
  senders?: Partial<Record<'email' | 'sms' | 'push', Sender>>;
}

function sideChannel(
  transport: 'log' | 'webhook',
  url: string | undefined,
  config: NotificationSettings,
  service: Service,
): Sender {
  return transport === 'webhook' && url
    ? webhookSender({ url, timeoutMs: config.WEBHOOK_TIMEOUT_MS })
    : logSender(service.log);
}

/** Builds and starts notification: database migrated, events subscribed, sender running, routes listening. */
export async function startNotification(
  config: NotificationSettings,
  deps: NotificationDeps = {},
): Promise<Service> {
  const templates = await loadTemplates();
  const { service, pool, bus } = await openDataService(config, {
    name: 'notification',
    description: 'E-mail, SMS and push messages about accounts and orders, by each user’s preferences',
    migrations: new URL('../migrations/', import.meta.url),
    schemas: eventSchemas,
  });
  const dispatcher = startDispatcher({
    pool,
    bus,
    senders: {
      email:
        deps.senders?.email ??
        emailSender({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS }),
      sms: deps.senders?.sms ?? sideChannel(config.SMS_TRANSPORT, config.SMS_WEBHOOK_URL, config, service),
      push:
        deps.senders?.push ?? sideChannel(config.PUSH_TRANSPORT, config.PUSH_WEBHOOK_URL, config, service),
    },
    policy: {
      maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
      baseDelayMs: config.NOTIFY_RETRY_BASE_MS,
      maxDelayMs: config.NOTIFY_RETRY_MAX_MS,
    },
    pollMs: config.NOTIFY_POLL_MS,
    leaseMs: config.NOTIFY_LEASE_MS,
    log: service.log,
  });
  // Registered after the bus, so it stops (at shutdown) before the bus and the pool close.
  service.onShutdown(() => dispatcher.stop());
  await subscribeToEvents(bus, {
    templates,
    shopUrl: config.SHOP_URL,
    maxAttempts: config.BUS_MAX_ATTEMPTS,
    recorded: () => dispatcher.wake(),
  });
  registerNotificationRoutes(service.app, {
    pool,
    mailbox: mailboxReader({ url: config.MAILBOX_URL, token: config.MAILBOX_TOKEN }),
  });
  registerMessageAudit(service.app, pool);
  await serve(service, config, { discovery: deps.discovery });
  return service;
}
