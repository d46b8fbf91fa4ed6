import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';
/**
 * The caller's remaining time, in milliseconds, when it sent the request. Relative
 * rather than absolute (as gRPC's `grpc-timeout`), so clocks need not agree.
 */
export const DEADLINE_HEADER = 'x-deadline-ms';
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

interface RequestContext {
  readonly correlationId: string;
  /** Epoch milliseconds after which nobody waits for this request's result. */
  readonly deadline?: number | undefined;
  /** The signed-in user the request acts for (set once its token is verified), for flag targeting. */
  userId?: string | undefined;
  /** The address of the request's client (read when asked: most requests never do). */
  readonly clientAddress?: (() => string) | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The caller's correlation id if it is well-formed (so it is safe to log and echo), else a new one. */
export function acceptCorrelationId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && WELL_FORMED.test(value) ? value : randomUUID();
}

/** The absolute deadline a `x-deadline-ms` header gives, counted from `now`; undefined when absent or malformed. */
export function acceptDeadline(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^-?\d{1,9}$/.test(value)) return undefined;
  return now + Number(value);
}

/**
 * Runs `fn` with `correlationId` (and the deadline, and how to read the client's address)
 * visible to every outgoing call and log line it makes.
 */
export function runWithCorrelationId<T>(
  correlationId: string,
  fn: () => T,
  deadline?: number,
  clientAddress?: () => string,
): T {
  return storage.run({ correlationId, deadline, clientAddress }, fn);
}

/** Records the user the current request acts for (auth.ts, once their token is verified). */
export function setCurrentUser(userId: string): void {
  const store = storage.getStore();
  if (store) store.userId = userId;
}

/** The user the current request acts for; undefined outside a request or for anonymous and service callers. */
export function currentUserId(): string | undefined {
  return storage.getStore()?.userId;
}

/** The address of the current request's client (as the service's TRUST_PROXY lets it see it). */
export function currentClientAddress(): string | undefined {
  return storage.getStore()?.clientAddress?.();
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Milliseconds left before the current request's deadline; undefined when it has none. */
export function remainingTime(now = Date.now()): number | undefined {
  const deadline = storage.getStore()?.deadline;
  return deadline === undefined ? undefined : deadline - now;
}
