import type { notifications } from '@platform/contracts';
import { type Html, html } from '@platform/web';

type Mail = notifications.MailboxMessage;

/** The mail sink's newest messages: who, what, when, and each one rendered in a sandbox. */
export function mailboxList(mails: Mail[], total: number): Html {
  if (mails.length === 0)
    return html`<p class="summary">No mail yet: place an order to get its confirmation.</p>`;
  const items = mails.map(
    (m) => html`<article class="mail" aria-labelledby="mail-${m.id}">
<h2 id="mail-${m.id}">${m.subject}</h2>
<p><small>To ${m.to.join(', ')} · from ${m.from} · ${m.receivedAt}${m.messageId ? html` · <code>${m.messageId}</code>` : ''}</small></p>
${
  m.html
    ? html`<iframe title="${m.subject}" sandbox src="/mailbox/${encodeURIComponent(m.id)}/html" loading="lazy"></iframe>`
    : html`<pre>${m.text}</pre>`
}
</article>`,
  );
  return html`<p class="summary">${mails.length} newest of ${total} messages</p>${items}`;
}

/** A message's HTML part, served on its own under a policy that lets it style itself and nothing more. */
export const MAIL_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";
