// The platform's admin APIs as the console calls them, with the operator's token: the
// gateway's (resilience, faults, mailbox) and each service's own (outbox, dead letters).
import { randomBytes } from 'node:crypto';

export interface AdminAnswer<T> {
  ok: boolean;
  status: number;
  body: T | undefined;
  /** A problem's detail (or why the call failed), for the page to show. */
  problem?: string;
  /** The problem's stable code (`REPLAY_FAILED`), when the answer was one. */
  code?: string;
}

/**
 * A trace context that says "not sampled": the console's own reads (a live page asks
 * every few seconds) are not what an operator came to watch, and would spend the
 * gateway's budget of new traces that shoppers' requests need. Its actions are traced.
 */
const unsampled = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;

export async function adminCall<T>(
  url: string,
  token: string,
  init: { method?: string; body?: unknown } = {},
): Promise<AdminAnswer<T>> {
  const method = init.method ?? 'GET';
  try {
    const answer = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === 'GET' ? { traceparent: unsampled() } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await answer.text();
    const body = text
      ? (JSON.parse(text) as T & { detail?: string; title?: string; code?: string })
      : undefined;
    if (answer.ok) return { ok: true, status: answer.status, body };
    const problem = body?.detail ?? body?.title ?? `answered ${answer.status}`;
    return {
      ok: false,
      status: answer.status,
      body: undefined,
      problem,
      ...(body?.code ? { code: body.code } : {}),
    };
  } catch (error) {
    return {
      ok: false,
      status: 0,
      body: undefined,
      problem: error instanceof Error ? error.message : String(error),
    };
  }
}
