import { type Html, html } from '@platform/web';
import { page } from './layout.ts';

const REASONS: Record<string, string> = {
  'wrong-credentials': 'That e-mail and password do not match an account.',
  'not-an-administrator': 'That account is not an administrator; the console is for operators.',
  'identity-unavailable': 'The identity service could not be reached; try again in a moment.',
  'signed-out': 'You are signed out.',
  'not-from-console': "That sign-in did not come from the console's own page; sign in here.",
};

export function loginPage(reason?: string, email = ''): Html {
  const message = reason ? REASONS[reason] : undefined;
  return page(
    'Sign in',
    html`${message ? html`<p role="alert" class="note">${message}</p>` : ''}
<form method="post" action="/login" class="login">
<label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${email}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="hint">The administrator's password is printed by <code>npm start</code> on its first start (and kept in <code>.data/secrets.json</code>).</p>`,
  );
}
