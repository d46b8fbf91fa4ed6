// Notification as its message pacts run it: the real service on throwaway databases,
// its e-mail going to the launcher's real SMTP sink (SMS and push to the log), so the
// messages a handled event records are really sent and can be read back.
import { randomBytes } from 'node:crypto';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import { type MailSink, startMailSink } from '@platform/launcher/mail-sink';
import { type ServiceUnderTest, startServiceUnderTest } from '@platform/testkit';
import { checkNotificationConfig, NotificationConfig } from '../../src/config.ts';
import { startNotification } from '../../src/service.ts';

export interface NotificationUnderTest extends ServiceUnderTest {
  /** Every e-mail notification sent. */
  sink: MailSink;
}

export async function startNotificationUnderTest(label: string): Promise<NotificationUnderTest> {
  const sink = await startMailSink({ token: randomBytes(18).toString('base64url') });
  try {
    const notification = await startServiceUnderTest(label, (env) =>
      startNotification(
        checkNotificationConfig(
          loadConfig(NotificationConfig, { ...env, SMTP_URL: sink.smtpUrl, NOTIFY_POLL_MS: '50' }),
        ),
        { discovery: staticDiscovery({}) },
      ),
    );
    return {
      ...notification,
      sink,
      async close() {
        await notification.close();
        await sink.stop();
      },
    };
  } catch (error) {
    await sink.stop();
    throw error;
  }
}
