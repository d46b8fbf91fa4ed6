// When a send failed: try again later, or give up. Pure: the caller passes the
// attempt count and a random number, so the rule is tested without clocks.
import { backoffDelay, jittered } from '@platform/chassis/backoff';

export interface SendPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Why a send failed; `permanent` failures (a refused mailbox, a 4xx from a webhook) are not retried. */
export interface SendFailure {
  permanent: boolean;
  reason: string;
}

export type SendDecision = { action: 'retry'; delayMs: number } | { action: 'fail'; reason: string };

/**
 * After attempt `attempt` (1-based) failed: exponential backoff from `baseDelayMs`,
 * capped at `maxDelayMs`, with "equal jitter" (half fixed, half random) so that many
 * deliveries failing together (the SMTP server went away) do not return together.
 */
export function afterFailure(
  attempt: number,
  failure: SendFailure,
  policy: SendPolicy,
  random: number,
): SendDecision {
  if (failure.permanent) return { action: 'fail', reason: failure.reason };
  if (attempt >= policy.maxAttempts) {
    return { action: 'fail', reason: `gave up after ${attempt} attempts: ${failure.reason}` };
  }
  return { action: 'retry', delayMs: Math.round(jittered(backoffDelay(attempt, policy), 'equal', random)) };
}

/**
 * An SMTP error as nodemailer reports it: a 5xx reply is the server's final word (no
 * such mailbox, message refused); a 4xx reply, a timeout or a lost connection may pass.
 */
export function classifySmtpError(error: {
  responseCode?: number | undefined;
  message: string;
}): SendFailure {
  const code = error.responseCode;
  const permanent = code !== undefined && code >= 500 && code < 600;
  return { permanent, reason: code ? `SMTP ${code}: ${error.message}` : error.message };
}

/** A webhook's answer: 2xx is sent; 408, 429 and 5xx may pass; any other 4xx will not. */
export function classifyHttpStatus(status: number): SendFailure | undefined {
  if (status >= 200 && status < 300) return undefined;
  const transient = status === 408 || status === 429 || status >= 500;
  return { permanent: !transient, reason: `webhook answered ${status}` };
}
