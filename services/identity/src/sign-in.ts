import { type Logger, withTransaction } from '@platform/chassis';
import type { Identity } from './context.ts';
import { lockoutDecision } from './domain/lockout.ts';
import { TooManyAttempts } from './errors.ts';
import { createIdentityStore } from './store.ts';

/**
 * Lets a sign-in attempt be checked, or refuses it (429 with Retry-After) under the
 * lockout rules. An attempt let in is counted as a failure in the same transaction as
 * the decision, before its password is checked: guesses sent all at once are counted
 * as they are let in, not after. A correct password clears it again
 * (`clearLoginFailures`). Unknown accounts are counted and refused just the same.
 */
export async function admitSignIn(
  identity: Identity,
  attempt: { email: string; address: string },
  log: Pick<Logger, 'info'>,
): Promise<void> {
  const decision = await withTransaction(identity.pool, async (client) => {
    const store = createIdentityStore(client);
    const decided = lockoutDecision(await store.loginHistory(attempt.email, attempt.address));
    if (decided.allowed) await store.recordLoginFailure(attempt.email, attempt.address);
    return decided;
  });
  if (decision.allowed) return;
  // Which rule refused stays in the log: the answer is the same whatever it was.
  log.info({ address: attempt.address, rule: decision.rule }, 'sign-in attempt refused');
  throw new TooManyAttempts(`Too many failed sign-ins; try again in ${decision.retryAfterSeconds} s`, {
    headers: { 'retry-after': String(decision.retryAfterSeconds) },
  });
}
