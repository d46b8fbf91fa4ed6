import type { Logger } from '@platform/chassis';
import { classifyHttpStatus } from '../domain/retry.ts';
import { SendError, type Sender } from './sender.ts';

/**
 * SMS or push through a provider's HTTP API: a JSON POST to the configured URL. The
 * delivery id is the Idempotency-Key, so a provider that honours it drops a resend.
 */
export function webhookSender(options: { url: string; timeoutMs: number }): Sender {
  return {
    async send(message) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': message.deliveryId },
          body: JSON.stringify({
            id: message.deliveryId,
            channel: message.channel,
            kind: message.kind,
            userId: message.userId,
            to: message.recipient,
            title: message.subject,
            text: message.text,
          }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await response.arrayBuffer();
      } catch (error) {
        throw new SendError({ permanent: false, reason: `webhook unreachable: ${(error as Error).message}` });
      }
      const failure = classifyHttpStatus(response.status);
      if (failure) throw new SendError(failure);
    },
    async close() {},
  };
}

/** SMS or push written to the log: for development, where no provider exists. */
export function logSender(log: Logger): Sender {
  return {
    async send(message) {
      log.info(
        {
          deliveryId: message.deliveryId,
          channel: message.channel,
          kind: message.kind,
          to: message.recipient,
        },
        `${message.channel} to ${message.recipient}: ${message.text}`,
      );
    },
    async close() {},
  };
}
