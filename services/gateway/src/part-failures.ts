// Why a part of a composed answer is missing, in words a shop's client may read: the
// service and what went wrong, never an instance's address (the HTTP client's own
// messages name it) or anything else about the inside.
import { BadGateway, ProblemError } from '@platform/chassis';

/** An upstream's answer the gateway cannot use (a 5xx, a broken or unreadable body), with the reason in words. */
export function unusableAnswer(service: string, reason: string, cause?: unknown): ProblemError {
  return new BadGateway(`${service} ${reason}`, { extensions: { reason }, cause });
}

/** Why a call to `service` failed, for a warning or a problem's detail. */
export function reasonOf(error: unknown, service: string): string {
  if (!(error instanceof ProblemError)) return `${service} is unavailable`;
  const { extensions } = error;
  if (typeof extensions.reason === 'string') return `${service} ${extensions.reason}`;
  if (error.status === 504) return `${service} did not answer in time`;
  if (extensions.circuit === 'open') return `${service} is failing: its circuit is open`;
  if (extensions.bulkhead === 'full') return `too many calls to ${service} are in progress`;
  if (error.status === 503) return `no instance of ${service} is available`;
  return `${service} could not be reached`;
}
