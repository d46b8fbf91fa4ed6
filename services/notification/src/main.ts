// Notification service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { checkNotificationConfig, NotificationConfig } from './config.ts';
import { startNotification } from './service.ts';

await runMain('notification', () =>
  startNotification(checkNotificationConfig(loadConfig(NotificationConfig))),
);
