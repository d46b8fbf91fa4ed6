import { setTimeout as sleep } from 'node:timers/promises';
import { type BulkheadPolicy, BulkheadRejectedError, bulkhead } from 'cockatiel';
import type { Dispatcher } from 'undici';
import { remainingTime } from '../context.ts';
import { DeadlineExceeded, ProblemError, ServiceUnavailable } from '../errors.ts';
import { backoffDelay, jittered } from './backoff.ts';
import { type Breaker, BrokenCircuitError, type CallOutcome } from './breaker.ts';
import { answerCountsAgainstUpstream, errorCountsAgainstUpstream } from './failures.ts';
import { type EjectionPolicy, type Endpoint, InstancePool } from './load-balancer.ts';
import { type ClientMetrics, clientMetrics } from './metrics.ts';
import { RetryBudget } from './retry-budget.ts';
import type {
  RemoteCall,
  RetryOptions,
  ServiceClient,
  ServiceClientOptions,
  ServiceRequest,
  ServiceResponse,
} from './service-client-types.ts';
import { VersionBreakers } from './version-breakers.ts';

const DEFAULT_RETRY: RetryOptions = { maxRetries: 2, baseDelayMs: 25, maxDelayMs: 400 };
const DEFAULT_EJECTION: EjectionPolicy = { consecutiveFailures: 3, baseMs: 5_000, maxMs: 60_000 };
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Calls that change nothing: a caller may walk away from one and the upstream be none the worse. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const NO_TRIAL = {};

/**
 * One call to one instance. `failed` means it counts against the upstream (breaker,
 * ejection): what says "this instance, now" is also what is worth another try.
 */
type Attempt<T> =
  | (CallOutcome & { result: T; endpoint: Endpoint })
  | (CallOutcome & { error: unknown; endpoint: Endpoint });

/**
 * Calls one service through discovery and the platform's resilience policies, from
 * the outside in: retries (idempotent requests only, full-jitter backoff, within a
 * retry budget and the deadline), a bulkhead, a circuit breaker (one per version of
 * the upstream: a failing canary opens its own), then one instance picked by the load
 * balancer, away from versions whose circuit is open while another has instances,
 * with passive ejection of failing instances.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const { service, discovery, http } = options;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const budget = options.retryBudget ?? new RetryBudget();
  const limits = options.bulkhead ?? { maxConcurrent: 64, maxQueued: 16 };
  const bulk: BulkheadPolicy = bulkhead(limits.maxConcurrent, limits.maxQueued);
  const pool = new InstancePool(options.strategy ?? 'p2c-ewma', { ...DEFAULT_EJECTION, ...options.ejection });
  const metrics: ClientMetrics | undefined = options.metrics ? clientMetrics(options.metrics) : undefined;
  const defaultTimeout = options.timeoutMs ?? 5_000;
  let known = false;

  const breakers = new VersionBreakers(service, options.breaker, metrics);
  // A read's trial call while half-open keeps its caller at most trialPatienceMs: an
  // upstream that hangs (a gray failure, health checks still green) fails fast.
  const trialOf = <T>(call: RemoteCall<T>) =>
    call.safe
      ? {
          abandonAfterMs: breakers.options.trialPatienceMs,
          onAbandoned: (late: Attempt<T>) => {
            if ('result' in late) Promise.resolve(call.discard?.(late.result)).catch(() => {});
          },
        }
      : NO_TRIAL;
  pool.onEject = (endpoint) =>
    metrics?.ejections.inc({ upstream: service, upstream_instance: endpoint.instance.instanceId });
  /** The instances now, and a closed breaker for each version not seen before. */
  function learn(instances: Parameters<InstancePool['update']>[0]): void {
    pool.update(instances);
    for (const instance of instances) breakers.of(instance.version);
  }
  const unwatch = discovery.watch(service, (instances) => {
    known = true;
    learn(instances);
  });

  async function endpoints(): Promise<void> {
    if (known) return;
    learn(await discovery.instances(service));
    known = true;
  }

  /**
   * The version a call asks for: its own, unless that version's circuit is open while
   * another version has instances; then none (any closed one), and the caller is told
   * its version refused the call.
   */
  function versionToAsk<T>(call: RemoteCall<T>): string | undefined {
    const wanted = call.version;
    if (wanted === undefined) return undefined;
    const open = breakers.open();
    if (!open.has(wanted) || !pool.endpoints.some((each) => !open.has(each.instance.version))) return wanted;
    call.observe?.({ version: wanted, elapsedMs: 0, refused: true });
    return undefined;
  }

  /** The instances not to pick: those tried, and those of a version whose circuit is open. */
  function avoided(tried: ReadonlySet<string>): ReadonlySet<string> {
    const open = breakers.open();
    if (open.size === 0) return tried;
    const avoid = new Set(tried);
    for (const endpoint of pool.endpoints) {
      if (open.has(endpoint.instance.version)) avoid.add(endpoint.instance.instanceId);
    }
    return avoid;
  }

  async function attemptOnce<T>(
    call: RemoteCall<T>,
    endpoint: Endpoint,
    timeoutMs: number,
    cutShortByCaller: boolean,
  ): Promise<Attempt<T>> {
    pool.started(endpoint);
    const started = performance.now();
    // A call its caller allowed long (placing an order, a rebuild) is slow only past
    // half of that: the upstream doing what was asked is not the upstream degrading.
    const slowCallMs =
      call.timeoutMs === undefined ? undefined : Math.max(breakers.options.slowCallMs, call.timeoutMs / 2);
    try {
      const result = await call.send(endpoint.instance, timeoutMs);
      const elapsedMs = performance.now() - started;
      const { failed } = call.judge(result);
      pool.finished(endpoint, { failed, elapsedMs });
      return { failed, elapsedMs, slowCallMs, result, endpoint };
    } catch (error) {
      // Returned, not thrown, so the breaker judges it by `failed` like an answer.
      const elapsedMs = performance.now() - started;
      const failed = call.counts(error, cutShortByCaller);
      pool.finished(endpoint, { failed, elapsedMs });
      return { failed, elapsedMs, slowCallMs, error, endpoint };
    }
  }

  function refusal(error: unknown, breaker: Breaker): ProblemError | undefined {
    if (error instanceof BrokenCircuitError) {
      metrics?.rejections.inc({ upstream: service, reason: 'circuit-open' });
      const retryAfter = breaker.retryAfterSeconds();
      return new ServiceUnavailable(`${service} is failing; its circuit is open for ${retryAfter} s`, {
        headers: { 'retry-after': String(retryAfter) },
        extensions: { upstream: service, circuit: 'open' },
      });
    }
    if (error instanceof BulkheadRejectedError) {
      metrics?.rejections.inc({ upstream: service, reason: 'bulkhead-full' });
      return new ServiceUnavailable(`Too many calls to ${service} in progress`, {
        headers: { 'retry-after': '1' },
        extensions: { upstream: service, bulkhead: 'full' },
      });
    }
    return undefined;
  }

  function mayRetry<T>(call: RemoteCall<T>, attempt: Attempt<T>, retries: number, deadline: number): boolean {
    const reason =
      'result' in attempt
        ? call.judge(attempt.result).reason
        : attempt.error instanceof ProblemError
          ? attempt.error.code.toLowerCase()
          : 'error';
    const deny = (why: string) => {
      metrics?.retriesDenied.inc({ upstream: service, reason: why });
      return false;
    };
    if (!call.retryable) return deny('not-idempotent');
    if (retries >= retry.maxRetries) return deny('attempts');
    if (deadline - Date.now() < retry.baseDelayMs * 2) return deny('deadline');
    if (!budget.tryRetry()) return deny('budget');
    metrics?.retries.inc({ upstream: service, reason });
    return true;
  }

  async function invoke<T>(call: RemoteCall<T>) {
    const own = call.timeoutMs ?? defaultTimeout;
    const left = remainingTime();
    // Less time than the client's own (the caller's deadline, or the request's own short
    // timeout for a part it can do without): if the call then times out, the caller was
    // in a hurry, which says nothing about the upstream's health.
    const allowed = Math.min(own, left ?? own);
    const cutShortByCaller = allowed < defaultTimeout;
    const deadline = Date.now() + allowed;
    await endpoints();
    budget.recordRequest();
    const version = versionToAsk(call);
    const tried = new Set<string>();
    for (let retries = 0; ; retries++) {
      const endpoint = pool.pick(avoided(tried), version);
      if (!endpoint) {
        metrics?.rejections.inc({ upstream: service, reason: 'no-instance' });
        throw new ServiceUnavailable(`No instance of ${service} is available`, {
          headers: { 'retry-after': '1' },
          extensions: { upstream: service },
        });
      }
      const timeoutMs = deadline - Date.now();
      if (timeoutMs <= 0) throw new DeadlineExceeded(`No time left to call ${service}`);
      tried.add(endpoint.instance.instanceId);
      const breaker = breakers.of(endpoint.instance.version);
      let attempt: Attempt<T>;
      try {
        attempt = await bulk.execute(() =>
          breaker.execute(() => attemptOnce(call, endpoint, timeoutMs, cutShortByCaller), trialOf(call)),
        );
      } catch (error) {
        metrics?.requests.inc({ upstream: service, outcome: 'rejected' });
        throw refusal(error, breaker) ?? error;
      }
      call.observe?.({
        version: attempt.endpoint.instance.version,
        elapsedMs: attempt.elapsedMs,
        ...('result' in attempt ? { result: attempt.result } : {}),
      });
      if (!attempt.failed || !mayRetry(call, attempt, retries, deadline)) {
        metrics?.requests.inc({ upstream: service, outcome: attempt.failed ? 'failed' : 'ok' });
        if ('error' in attempt) throw attempt.error;
        return { result: attempt.result, instance: attempt.endpoint.instance, attempts: retries + 1 };
      }
      if ('result' in attempt) await call.discard?.(attempt.result);
      const left = Math.max(0, deadline - Date.now() - 1);
      await sleep(jittered(Math.min(backoffDelay(retries + 1, retry), left), 'full'));
    }
  }

  async function request(request: ServiceRequest): Promise<ServiceResponse> {
    const headers = request.headers ?? {};
    const { result, instance, attempts } = await invoke<Dispatcher.ResponseData>({
      safe: SAFE.has(request.method),
      retryable: IDEMPOTENT.has(request.method) || Boolean(headers['idempotency-key']),
      timeoutMs: request.timeoutMs,
      version: request.version,
      send: (target, timeoutMs) =>
        http.request({
          method: request.method,
          url: `${target.url}${request.path}`,
          headers: request.headers,
          body: request.body,
          timeoutMs,
        }),
      judge: (response) => ({
        failed: answerCountsAgainstUpstream(response.statusCode),
        reason: String(response.statusCode),
      }),
      counts: errorCountsAgainstUpstream,
      discard: (response) => response.body.dump(),
      ...(request.onAttempt
        ? {
            observe: ({ version, result, elapsedMs, refused }) =>
              request.onAttempt?.({
                version,
                elapsedMs,
                ...(result ? { status: result.statusCode } : {}),
                ...(refused ? { refused } : {}),
              }),
          }
        : {}),
    });
    return { ...result, instance, attempts };
  }

  return {
    service,
    request,
    invoke,
    state() {
      const now = Date.now();
      return {
        service,
        strategy: pool.strategy,
        ...breakers.state(now),
        bulkhead: {
          maxConcurrent: limits.maxConcurrent,
          active: limits.maxConcurrent - bulk.executionSlots,
          queued: limits.maxQueued - bulk.queueSlots,
        },
        retryBudget: { ratio: budget.ratio, available: budget.available },
        instances: pool.endpoints.map((endpoint) => ({
          instanceId: endpoint.instance.instanceId,
          url: endpoint.instance.url,
          version: endpoint.instance.version,
          outstanding: endpoint.outstanding,
          latencyMs: Math.round(endpoint.latencyMs * 10) / 10,
          ...(endpoint.ejectedUntil > now
            ? { ejectedUntil: new Date(endpoint.ejectedUntil).toISOString() }
            : {}),
        })),
      };
    },
    close: unwatch,
  };
}
