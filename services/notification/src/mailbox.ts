import type { notifications } from '@platform/contracts';
import { notifications as api } from '@platform/contracts';
import Value from 'typebox/value';
import { MailboxNotConfigured, MailboxUnavailable } from './errors.ts';

/** Reads the embedded SMTP sink's messages over its loopback HTTP endpoint (see the launcher). */
export interface MailboxReader {
  read(query: { to?: string | undefined; page: number; limit: number }): Promise<notifications.SinkPage>;
}

export function mailboxReader(options: {
  url?: string | undefined;
  token?: string | undefined;
}): MailboxReader {
  return {
    async read({ to, page, limit }) {
      if (!options.url) {
        throw new MailboxNotConfigured(
          'Mail goes to the SMTP server in SMTP_URL; only the embedded platform keeps a mailbox (MAILBOX_URL)',
        );
      }
      const url = new URL('messages', options.url.endsWith('/') ? options.url : `${options.url}/`);
      if (to) url.searchParams.set('to', to);
      url.searchParams.set('offset', String((page - 1) * limit));
      url.searchParams.set('limit', String(limit));
      let body: unknown;
      try {
        const response = await fetch(url, {
          headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
          signal: AbortSignal.timeout(5_000),
        });
        if (!response.ok) throw new Error(`the sink answered ${response.status}`);
        body = await response.json();
      } catch (error) {
        throw new MailboxUnavailable((error as Error).message, { cause: error });
      }
      if (!Value.Check(api.SinkPage, body))
        throw new MailboxUnavailable('the sink answered an unexpected shape');
      return body;
    },
  };
}
