// The shopper's own pages: signing in and up, the account with its notification
// choices, and the messages the shop has sent them.
import type { identity, notifications } from '@platform/contracts';
import { type Html, html } from '@platform/web';
import { when } from '../domain/words.ts';
import { formTokenField } from './layout.ts';

export interface AccountForm {
  formToken: string;
  next: string;
  email?: string;
  name?: string;
}

export function signInBody(form: AccountForm): Html {
  return html`<form method="post" action="/signin" class="stack">
${formTokenField(form.formToken)}<input type="hidden" name="next" value="${form.next}">
<label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${form.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Sign in</button>
</form>
<p>New here? <a href="/register?next=${encodeURIComponent(form.next)}">Create an account</a>. A cart you filled as a guest comes with you.</p>`;
}

export function registerBody(form: AccountForm): Html {
  return html`<form method="post" action="/register" class="stack">
${formTokenField(form.formToken)}<input type="hidden" name="next" value="${form.next}">
<label for="name">Your name</label>
<input id="name" name="name" autocomplete="name" required maxlength="200" value="${form.name ?? ''}">
<label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${form.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="1024" aria-describedby="password-hint">
<p id="password-hint" class="hint">At least 10 characters; not a common password.</p>
<button type="submit">Create account</button>
</form>
<p>Already have an account? <a href="/signin?next=${encodeURIComponent(form.next)}">Sign in</a>.</p>`;
}

const CHANNELS = [
  ['email', 'E-mail'],
  ['sms', 'Text message (SMS)'],
  ['push', 'Push notification'],
] as const;

export function accountBody(me: identity.Me, formToken: string): Html {
  const chosen = me.preferences.notifications ?? {};
  const defaults: Record<string, boolean> = { email: true, sms: false, push: false };
  return html`<dl class="details">
<dt>E-mail</dt><dd>${me.email}</dd>
<dt>Customer since</dt><dd>${when(me.createdAt)}</dd>
</dl>
<form method="post" action="/account" class="stack">
${formTokenField(formToken)}
<label for="name">Your name</label>
<input id="name" name="name" autocomplete="name" required maxlength="200" value="${me.name}">
<fieldset>
<legend>Tell me about my orders by</legend>
${CHANNELS.map(([channel, label]) => {
  const on = chosen[channel] ?? defaults[channel];
  return html`<div class="check"><input type="checkbox" id="channel-${channel}" name="${channel}" value="on"${on ? html` checked` : ''}><label for="channel-${channel}">${label}</label></div>`;
})}
</fieldset>
<button type="submit">Save</button>
</form>
<p><a href="/orders">Your orders</a> · <a href="/notifications">Messages we sent you</a></p>`;
}

const CHANNEL_WORDS: Record<string, string> = { email: 'E-mail', sms: 'Text message', push: 'Push' };
const DELIVERY_WORDS: Record<string, string> = {
  pending: 'Waiting to be sent',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Could not be sent',
};

export function notificationsBody(list: notifications.Notification[]): Html {
  if (list.length === 0) return html`<p>We have not sent you anything yet.</p>`;
  return html`<table class="lines">
<caption class="visually-hidden">Messages we sent you, newest first</caption>
<thead><tr><th scope="col">Message</th><th scope="col">How</th><th scope="col">State</th><th scope="col">When</th></tr></thead>
<tbody>${list.map(
    (note) =>
      html`<tr><th scope="row">${note.subject}</th><td>${CHANNEL_WORDS[note.channel] ?? note.channel}</td><td>${DELIVERY_WORDS[note.status] ?? note.status}</td><td>${when(note.sentAt)}</td></tr>`,
  )}</tbody>
</table>`;
}
