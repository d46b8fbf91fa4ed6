// E-mail for the embedded platform: the SMTP sink (mail-sink.ts) started before the
// services and stopped after them, and what the services that send mail are told.
import { join } from 'node:path';
import { freePort } from '@platform/devinfra';
import { type MailSink, startMailSink } from './mail-sink.ts';
import type { Secrets } from './secrets.ts';
import type { Row } from './table.ts';

export interface PlatformMail {
  /** For services with `mail: true`: SMTP_URL, and with the sink MAILBOX_URL and MAILBOX_TOKEN. */
  env: Record<string, string>;
  row: Row;
  stop(): Promise<void>;
}

/**
 * With SMTP_URL set, mail goes to that server (which services inherit) and no sink
 * runs. Otherwise the sink listens on PLATFORM_SMTP_PORT (a free port by default) and
 * keeps its mailbox in the data folder.
 */
export async function startPlatformMail(options: {
  dataDir: string;
  secrets: Secrets;
  warn(message: string): void;
}): Promise<PlatformMail> {
  if (process.env.SMTP_URL) {
    const host = new URL(process.env.SMTP_URL).host;
    return {
      env: {},
      row: { service: 'mail', pid: '-', url: `SMTP ${host}`, ready: '-' },
      stop: async () => {},
    };
  }
  const started = Date.now();
  const token = options.secrets.get('mailbox-token');
  const sink: MailSink = await startMailSink({
    smtpPort: Number(process.env.PLATFORM_SMTP_PORT ?? 0) || (await freePort()),
    token,
    file: join(options.dataDir, 'mailbox.jsonl'),
    onError: (error) => options.warn(`mail sink: a message could not be stored: ${error.message}`),
  });
  return {
    env: { SMTP_URL: sink.smtpUrl, MAILBOX_URL: sink.mailboxUrl, MAILBOX_TOKEN: token },
    row: {
      service: 'mail',
      pid: String(process.pid),
      url: `${sink.smtpUrl} (sink: GET /api/v1/admin/mailbox)`,
      ready: `${((Date.now() - started) / 1000).toFixed(1)} s`,
    },
    stop: () => sink.stop(),
  };
}
