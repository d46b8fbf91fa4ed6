// What a service client is and takes: its options, the calls it makes (an HTTP request,
// or any remote call through the same policies), and what an admin view shows of it.
import type { Registry } from 'prom-client';
import type { Dispatcher } from 'undici';
import type { Discovery, ServiceInstance } from '../discovery/types.ts';
import type { HttpClient, OutgoingRequest } from '../http-client.ts';
import type { BreakerOptions } from './breaker.ts';
import type { BalancingStrategy, EjectionPolicy } from './load-balancer.ts';
import type { RetryBudget } from './retry-budget.ts';

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Full-jitter exponential backoff: a random delay up to base * 2^retry, capped. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ServiceClientOptions {
  /** The upstream service's name, as discovery knows it. */
  service: string;
  discovery: Discovery;
  http: HttpClient;
  strategy?: BalancingStrategy;
  /** Time for a whole call, retries included, unless the request says otherwise. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  retryBudget?: RetryBudget;
  breaker?: Partial<BreakerOptions>;
  /** Concurrent calls to this upstream; more wait in a short queue, then are refused. */
  bulkhead?: { maxConcurrent: number; maxQueued: number };
  ejection?: Partial<EjectionPolicy>;
  metrics?: Registry;
}

export interface ServiceRequest {
  method: Dispatcher.HttpMethod;
  /** Path and query, e.g. `/api/v1/products?q=tea`. */
  path: string;
  headers?: OutgoingRequest['headers'];
  body?: OutgoingRequest['body'];
  timeoutMs?: number;
  /**
   * Only instances announcing this version (a release's choice), while any does and its
   * circuit is not open: then any other version's.
   */
  version?: string | undefined;
  /**
   * Told of every attempt, retried ones too: the version of the instance it reached, its
   * status (none when it got no answer) and how long it took. A release judges a
   * version by these, so a retry that hides a failure from the caller does not hide it.
   */
  onAttempt?(attempt: AttemptSeen): void;
}

/**
 * One attempt of a call, as `onAttempt` is told of it; `refused` when the version asked
 * for could not take it at all (its circuit open) and the call went to another version.
 */
export interface AttemptSeen {
  version: string;
  status?: number;
  elapsedMs: number;
  refused?: true;
}

export interface ServiceResponse extends Dispatcher.ResponseData {
  instance: ServiceInstance;
  attempts: number;
}

/** What an admin view shows of one client. */
export interface ClientState {
  service: string;
  strategy: BalancingStrategy;
  /** The breaker in the worst state (one per version of the upstream; nearly always one). */
  breaker: {
    /** Whose breaker this is, when the upstream has instances of more than one version. */
    version?: string;
    state: string;
    since: string;
    retryAfterSeconds?: number;
    /** The last state changes, oldest first (at most ten). */
    transitions: Array<{ to: string; at: string }>;
  };
  /** Every version's breaker. */
  breakers: Array<{ version: string; state: string }>;
  bulkhead: { maxConcurrent: number; active: number; queued: number };
  retryBudget: { ratio: number; available: number };
  instances: Array<{
    instanceId: string;
    url: string;
    version: string;
    outstanding: number;
    latencyMs: number;
    ejectedUntil?: string;
  }>;
}

/**
 * One call to a service, whatever carries it (HTTP, gRPC): how to make it on one
 * instance, and how to judge what came back. The client adds the rest: discovery,
 * load balancing, the breaker, the bulkhead, retries within the budget and deadline.
 */
export interface RemoteCall<T> {
  /** Changes nothing: a half-open trial of it may be abandoned (reads). */
  safe: boolean;
  /** May be sent again after a failure (idempotent, or carrying an idempotency key). */
  retryable: boolean;
  timeoutMs?: number | undefined;
  /** Only instances announcing this version (a release's choice), while any does. */
  version?: string | undefined;
  send(instance: ServiceInstance, timeoutMs: number): Promise<T>;
  /** Whether an answer counts against the upstream (a 5xx), and a word for the retry metric. */
  judge(result: T): { failed: boolean; reason: string };
  /** Whether a thrown error counts against the upstream. */
  counts(error: unknown, cutShortByCaller: boolean): boolean;
  /** Lets go of an answer that will not be used (retried, or arrived after its caller left). */
  discard?(result: T): Promise<void> | void;
  /**
   * Told of every attempt made on an instance, and of a version asked for whose circuit
   * is open when the call goes to another version instead (`refused`).
   */
  observe?(attempt: { version: string; result?: T; elapsedMs: number; refused?: true }): void;
}

export interface ServiceClient {
  readonly service: string;
  request(request: ServiceRequest): Promise<ServiceResponse>;
  /** Any kind of call through the same policies as `request` (which is one of them). */
  invoke<T>(call: RemoteCall<T>): Promise<{ result: T; instance: ServiceInstance; attempts: number }>;
  state(): ClientState;
  close(): void;
}
