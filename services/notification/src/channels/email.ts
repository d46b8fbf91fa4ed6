import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { classifySmtpError } from '../domain/retry.ts';
import { SendError, type Sender } from './sender.ts';

/**
 * E-mail over SMTP with nodemailer, over pooled connections. Each message carries a Message-ID made from its
 * delivery id, so a resend after a crash (sent, but not yet marked sent) is the same
 * message to the receiving side, which can drop the copy. The message is composed whole
 * in memory (a notice is a few kilobytes) and then sent: streamed as composed, it left
 * in a dozen socket writes, one for each piece of the MIME tree; whole, it leaves in one.
 */
export function emailSender(options: { url: string; from: string; timeoutMs: number }): Sender {
  const transport = nodemailer.createTransport({
    url: options.url,
    // Connections are kept and reused (a message costs MAIL, RCPT and DATA, not a new
    // connection, a greeting, EHLO and QUIT each): two at most, renewed after 100 messages.
    pool: true,
    maxConnections: 2,
    maxMessages: 100,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    // The embedded sink speaks plain SMTP on loopback; a real server offering
    // STARTTLS is used with it (nodemailer upgrades when offered).
    tls: { minVersion: 'TLSv1.2' },
  });
  const domain = options.from.match(/@([^>\s]+)/)?.[1] ?? 'platform.local';
  return {
    async send(message) {
      try {
        const mail = new MailComposer({
          from: options.from,
          to: message.recipient,
          subject: message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          messageId: `<${message.deliveryId}@${domain}>`,
          headers: { 'X-Notification-Kind': message.kind },
        }).compile();
        await transport.sendMail({ envelope: mail.getEnvelope(), raw: await mail.build() });
      } catch (error) {
        const details = error as { responseCode?: number; message?: string };
        throw new SendError(
          classifySmtpError({
            responseCode: details.responseCode,
            message: details.message ?? String(error),
          }),
          { cause: error },
        );
      }
    },
    async close() {
      transport.close();
    },
  };
}
