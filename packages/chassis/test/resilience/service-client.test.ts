import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { runWithCorrelationId } from '../../src/context.ts';
import { staticDiscovery } from '../../src/discovery/static.ts';
import { ProblemError } from '../../src/errors.ts';
import { createHttpClient } from '../../src/http-client.ts';
import { RetryBudget } from '../../src/resilience/retry-budget.ts';
import { createServiceClient } from '../../src/resilience/service-client.ts';
import type { AttemptSeen, ServiceClientOptions } from '../../src/resilience/service-client-types.ts';
import { answer, startUpstream, type Upstream } from './upstreams.ts';

const http = createHttpClient();
const upstreams: Upstream[] = [];
after(async () => {
  await Promise.all(upstreams.map((upstream) => upstream.close()));
  await http.close();
});

async function upstream(handler = answer(200, 'ok')): Promise<Upstream> {
  const started = await startUpstream(handler);
  upstreams.push(started);
  return started;
}

/** A port nothing listens on: connection refused. */
async function deadUrl(): Promise<string> {
  const gone = await startUpstream();
  await gone.close();
  return gone.url;
}

function client(urls: string[], overrides: Partial<ServiceClientOptions> = {}) {
  const metrics = new Registry();
  const subject = createServiceClient({
    service: 'catalog',
    discovery: staticDiscovery({ catalog: urls }),
    http,
    strategy: 'round-robin',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    metrics,
    ...overrides,
  });
  return { subject, metrics };
}

async function metricValue(metrics: Registry, name: string, labels: Record<string, string>) {
  const metric = (await metrics.getMetricsAsJSON()).find((entry) => entry.name === name);
  const values = (metric?.values ?? []) as Array<{ labels: Record<string, unknown>; value: number }>;
  return values
    .filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProblemError, `expected a problem, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('retries', () => {
  test('a GET that meets a 503 is retried on another instance and succeeds', async () => {
    const failing = await upstream(answer(503));
    const healthy = await upstream(answer(200, 'fine'));
    const { subject, metrics } = client([failing.url, healthy.url]);
    const response = await subject.request({ method: 'GET', path: '/api/v1/products' });
    assert.equal(response.statusCode, 200);
    assert.equal(await response.body.text(), 'fine');
    assert.equal(response.attempts, 2);
    assert.equal(await metricValue(metrics, 'client_retries_total', { upstream: 'catalog' }), 1);
  });

  test('a GET to a dead instance is retried elsewhere', async () => {
    const healthy = await upstream(answer(200, 'fine'));
    const { subject } = client([await deadUrl(), healthy.url]);
    for (let i = 0; i < 6; i++) {
      const response = await subject.request({ method: 'GET', path: '/' });
      assert.equal(response.statusCode, 200);
      await response.body.dump();
    }
    const dead = subject.state().instances.find((instance) => instance.url !== healthy.url);
    assert.ok(dead?.ejectedUntil, 'the dead instance was ejected after consecutive failures');
  });

  test('a POST without an Idempotency-Key is never retried', async () => {
    const failing = await upstream(answer(503));
    const other = await upstream(answer(503));
    const { subject, metrics } = client([failing.url, other.url]);
    const response = await subject.request({ method: 'POST', path: '/api/v1/orders', body: '{}' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.attempts, 1);
    assert.equal(failing.hits + other.hits, 1);
    const denied = await metricValue(metrics, 'client_retries_denied_total', { reason: 'not-idempotent' });
    assert.equal(denied, 1);
  });

  test('a POST with an Idempotency-Key is retried', async () => {
    const failing = await upstream(answer(503));
    const healthy = await upstream(answer(201, 'created'));
    const { subject } = client([failing.url, healthy.url]);
    const response = await subject.request({
      method: 'POST',
      path: '/api/v1/orders',
      headers: { 'idempotency-key': 'order-1' },
      body: '{}',
    });
    assert.equal(response.statusCode, 201);
    assert.equal(response.attempts, 2);
  });

  test('a 4xx or a plain 500 is an answer, not a reason to retry', async () => {
    const notFound = await upstream(answer(404));
    const { subject } = client([notFound.url]);
    const response = await subject.request({ method: 'GET', path: '/missing' });
    assert.equal(response.statusCode, 404);
    assert.equal(notFound.hits, 1);
  });

  test('under a failing upstream, retries stay within the retry budget', async () => {
    const failing = await upstream(answer(503));
    const budget = new RetryBudget({ ratio: 0.1, reservePerSecond: 0, capacity: 2 });
    const { subject, metrics } = client([failing.url], {
      retryBudget: budget,
      retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 },
      // Keep the breaker out of it: this is about the budget alone.
      breaker: { windowSize: 1_000, minimumCalls: 1_000 },
      ejection: { consecutiveFailures: 1_000_000 },
    });
    const requests = 200;
    for (let i = 0; i < requests; i++) {
      const response = await subject.request({ method: 'GET', path: '/' });
      await response.body.dump();
    }
    const retries = failing.hits - requests;
    assert.ok(retries <= 2 + requests * 0.1, `${retries} retries for ${requests} requests`);
    assert.ok(retries >= 10, `the budget still lets some retries through (${retries})`);
    assert.ok((await metricValue(metrics, 'client_retries_denied_total', { reason: 'budget' })) > 100);
  });
});

describe('circuit breaker in the client', () => {
  test('opens on a failing upstream, then fails fast with 503 and Retry-After', async () => {
    const failing = await upstream(answer(503));
    const { subject, metrics } = client([failing.url], {
      breaker: { minimumCalls: 5, windowSize: 5, openMs: 30_000 },
      ejection: { consecutiveFailures: 1_000_000 },
      retry: { maxRetries: 0 },
    });
    for (let i = 0; i < 5; i++) await (await subject.request({ method: 'GET', path: '/' })).body.dump();
    assert.equal(subject.state().breaker.state, 'open');
    assert.deepEqual(
      subject.state().breaker.transitions.map((t) => t.to),
      ['open'],
      'the change is remembered, with when',
    );
    const problem = await problemOf(subject.request({ method: 'GET', path: '/' }));
    assert.equal(problem.status, 503);
    assert.equal(problem.headers['retry-after'], '30');
    assert.equal(failing.hits, 5, 'the open circuit kept the call from the upstream');
    assert.equal(await metricValue(metrics, 'client_circuit_state', { upstream: 'catalog' }), 1);
    assert.equal(await metricValue(metrics, 'client_rejections_total', { reason: 'circuit-open' }), 1);
  });
});

describe('a breaker per version', () => {
  test("a failing canary opens its own circuit: the baseline's stays closed and serves every caller", async () => {
    const baseline = await upstream(answer(200, 'baseline'));
    const canary = await upstream(answer(503));
    const { subject, metrics } = client([`${baseline.url}#1.0.0`, `${canary.url}#2.0.0`], {
      breaker: { minimumCalls: 5, windowSize: 5, openMs: 30_000 },
      ejection: { consecutiveFailures: 1_000_000 },
      retry: { maxRetries: 0 },
    });
    // The release sends a share of its calls to the canary (pinned, as the gateway does).
    for (let i = 0; i < 5; i++) {
      await (await subject.request({ method: 'GET', path: '/', version: '2.0.0' })).body.dump();
    }
    assert.deepEqual(subject.state().breakers, [
      { version: '1.0.0', state: 'closed' },
      { version: '2.0.0', state: 'open' },
    ]);
    assert.equal(subject.state().breaker.version, '2.0.0', 'the summary shows the worst, named');
    assert.equal(
      await metricValue(metrics, 'client_circuit_state', { upstream: 'catalog', version: '2.0.0' }),
      1,
    );
    assert.equal(
      await metricValue(metrics, 'client_circuit_state', { upstream: 'catalog', version: '1.0.0' }),
      0,
    );

    // The canary's share goes to the baseline while its circuit is open, and the caller is
    // told its version refused the call (a release counts that against the canary).
    const seen: AttemptSeen[] = [];
    const rerouted = await subject.request({
      method: 'GET',
      path: '/',
      version: '2.0.0',
      onAttempt: (attempt) => seen.push(attempt),
    });
    assert.equal(await rerouted.body.text(), 'baseline');
    assert.deepEqual(
      seen.map(({ version, status, refused }) => ({ version, status, refused })),
      [
        { version: '2.0.0', status: undefined, refused: true },
        { version: '1.0.0', status: 200, refused: undefined },
      ],
    );
    const pinned = await subject.request({ method: 'GET', path: '/', version: '1.0.0' });
    assert.equal(await pinned.body.text(), 'baseline');
    for (let i = 0; i < 4; i++) {
      const unpinned = await subject.request({ method: 'GET', path: '/' });
      assert.equal(
        await unpinned.body.text(),
        'baseline',
        'an open version is not picked while another has instances',
      );
    }
    assert.equal(canary.hits, 5, 'the open circuit kept every later call from the canary');
  });

  test('every attempt is told, retried ones too, with the version and status it met', async () => {
    const failing = await upstream(answer(503));
    const healthy = await upstream(answer(200, 'fine'));
    const { subject } = client([`${failing.url}#2.0.0`, `${healthy.url}#2.0.0`]);
    const seen: AttemptSeen[] = [];
    const response = await subject.request({
      method: 'GET',
      path: '/',
      onAttempt: (attempt) => seen.push(attempt),
    });
    assert.equal(await response.body.text(), 'fine');
    assert.deepEqual(
      seen.map(({ version, status }) => ({ version, status })),
      [
        { version: '2.0.0', status: 503 },
        { version: '2.0.0', status: 200 },
      ],
      'the caller saw one answer; the retried failure is told all the same',
    );
  });
});

describe('slow calls', () => {
  test('a call slower than the breaker allows counts, unless the caller gave it twice that time', async () => {
    const slow = await upstream(answer(200, 'slow', 120));
    const breaker = { minimumCalls: 5, windowSize: 5, openMs: 30_000, slowCallMs: 50 };
    // A placed order is allowed 15 s at the gateway: 120 ms of a 1 s allowance is not slow.
    const { subject: patient } = client([slow.url], { breaker });
    for (let i = 0; i < 6; i++)
      await (await patient.request({ method: 'GET', path: '/', timeoutMs: 1_000 })).body.dump();
    assert.equal(patient.state().breaker.state, 'closed');
    const { subject: hurried } = client([slow.url], { breaker });
    for (let i = 0; i < 5; i++) await (await hurried.request({ method: 'GET', path: '/' })).body.dump();
    assert.equal(hurried.state().breaker.state, 'open');
  });
});

describe('bulkhead', () => {
  test('calls beyond the cap are refused fast with 503 instead of piling up', async () => {
    const slow = await upstream(answer(200, 'slow', 300));
    const { subject } = client([slow.url], { bulkhead: { maxConcurrent: 2, maxQueued: 1 } });
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => subject.request({ method: 'GET', path: '/' })),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    assert.equal(refused.length, 3);
    for (const outcome of refused) {
      const reason = (outcome as PromiseRejectedResult).reason as ProblemError;
      assert.equal(reason.status, 503);
    }
    assert.equal(slow.hits, 3, 'two at once, one queued, the rest never sent');
    assert.ok(performance.now() - started < 5_000);
  });
});

describe('timeouts and deadlines', () => {
  test('a call that outlives its timeout fails with 504', async () => {
    const hanging = await upstream(() => undefined);
    const { subject } = client([hanging.url], { timeoutMs: 200, retry: { maxRetries: 0 } });
    const problem = await problemOf(subject.request({ method: 'GET', path: '/' }));
    assert.equal(problem.status, 504);
  });

  test('the caller’s remaining time travels with the call and bounds it', async () => {
    const echo = await upstream(answer(200));
    const { subject } = client([echo.url], { timeoutMs: 5_000 });
    await runWithCorrelationId(
      'deadline-test',
      async () => (await subject.request({ method: 'GET', path: '/' })).body.dump(),
      Date.now() + 800,
    );
    const sent = Number(echo.lastHeaders['x-deadline-ms']);
    assert.ok(sent > 0 && sent <= 800, `x-deadline-ms was ${sent}`);
    assert.equal(echo.lastHeaders['x-correlation-id'], 'deadline-test');
  });

  test('no call is made once the deadline has passed', async () => {
    const echo = await upstream(answer(200));
    const { subject } = client([echo.url]);
    const problem = await problemOf(
      runWithCorrelationId('late', () => subject.request({ method: 'GET', path: '/' }), Date.now() - 1),
    );
    assert.equal(problem.status, 504);
    assert.equal(echo.hits, 0);
  });
});

describe('discovery', () => {
  test('no instance known gives 503 with Retry-After', async () => {
    const { subject } = client([]);
    const problem = await problemOf(subject.request({ method: 'GET', path: '/' }));
    assert.equal(problem.status, 503);
  });
});

// Only the upstream's own failures count against it (failures.ts): a caller that
// sends requests which fail must not open the circuit or eject instances for everyone.
describe('what counts against an upstream', () => {
  const strict = {
    breaker: { minimumCalls: 5, windowSize: 5, openMs: 30_000 },
    ejection: { consecutiveFailures: 3 },
  } satisfies Partial<ServiceClientOptions>;
  /** `count` calls side by side (undici's timers are coarse: each timeout takes about a second), each failing with a problem. */
  const sideBySide = (count: number, call: (i: number) => Promise<unknown>) =>
    Promise.all(Array.from({ length: count }, (_, i) => problemOf(call(i))));

  test('a flood of 500s and 4xx leaves the circuit closed and every instance in rotation', async () => {
    let n = 0;
    const buggy = await upstream((_request, response) => {
      response.statusCode = n++ % 2 === 0 ? 500 : 400;
      response.end('{}');
    });
    const { subject, metrics } = client([buggy.url], strict);
    for (let i = 0; i < 30; i++) await (await subject.request({ method: 'GET', path: '/' })).body.dump();
    assert.equal(subject.state().breaker.state, 'closed');
    assert.equal(subject.state().instances[0]?.ejectedUntil, undefined);
    assert.equal(buggy.hits, 30, 'each answered once: a 500 is not retried either');
    assert.equal(await metricValue(metrics, 'client_circuit_transitions_total', {}), 0);
  });

  test('502, 503 and 504 answers and refused connections do count', async () => {
    let n = 0;
    const failing = await upstream((_request, response) => {
      response.statusCode = [502, 503, 504][n++ % 3] ?? 503;
      response.end();
    });
    const { subject } = client([failing.url], { ...strict, retry: { maxRetries: 0 } });
    for (let i = 0; i < 5; i++) await (await subject.request({ method: 'GET', path: '/' })).body.dump();
    assert.equal(subject.state().breaker.state, 'open');
    const { subject: toDead } = client([await deadUrl()], { ...strict, retry: { maxRetries: 0 } });
    for (let i = 0; i < 5; i++) await problemOf(toDead.request({ method: 'GET', path: '/' }));
    assert.equal(toDead.state().breaker.state, 'open');
  });

  test('timeouts cut short by the caller’s deadline do not count; timeouts of the client’s own time do', async () => {
    const hanging = await upstream(() => undefined);
    const { subject } = client([hanging.url], { ...strict, timeoutMs: 5_000, retry: { maxRetries: 0 } });
    const hurried = await sideBySide(8, (i) =>
      runWithCorrelationId(
        `hurry-${i}`,
        () => subject.request({ method: 'GET', path: '/' }),
        Date.now() + 30,
      ),
    );
    assert.deepEqual(new Set(hurried.map((problem) => problem.status)), new Set([504]));
    assert.equal(subject.state().breaker.state, 'closed', 'a hurried caller says nothing of the upstream');
    assert.equal(subject.state().instances[0]?.ejectedUntil, undefined);
    const { subject: patient } = client([hanging.url], {
      ...strict,
      timeoutMs: 30,
      retry: { maxRetries: 0 },
    });
    await sideBySide(5, () => patient.request({ method: 'GET', path: '/' }));
    assert.equal(patient.state().breaker.state, 'open');
  });

  test('a request’s own timeout shorter than the client’s says its caller was in a hurry; a longer one does not', async () => {
    // A page's part that is not essential gets a short time of its own (the storefront's
    // shelves): its timeouts say nothing of the upstream, or one slow moment on a busy
    // machine opens the circuit for every caller.
    const hanging = await upstream(() => undefined);
    const { subject } = client([hanging.url], { ...strict, timeoutMs: 5_000, retry: { maxRetries: 0 } });
    const hurried = await sideBySide(8, () => subject.request({ method: 'GET', path: '/', timeoutMs: 30 }));
    assert.deepEqual(new Set(hurried.map((problem) => problem.status)), new Set([504]));
    assert.equal(subject.state().breaker.state, 'closed', 'a part cut off at its own short time');
    assert.equal(subject.state().instances[0]?.ejectedUntil, undefined);
    const { subject: patient } = client([hanging.url], {
      ...strict,
      timeoutMs: 20,
      retry: { maxRetries: 0 },
    });
    await sideBySide(5, () => patient.request({ method: 'GET', path: '/', timeoutMs: 30 }));
    assert.equal(patient.state().breaker.state, 'open', 'the upstream had more than the client’s own time');
  });

  test('a request the HTTP client refuses to send is our 500 and never counts', async () => {
    const healthy = await upstream(answer(200));
    const { subject } = client([healthy.url], strict);
    for (let i = 0; i < 8; i++) {
      const refused = subject.request({ method: 'GET', path: '/', headers: { expect: '100-continue' } });
      assert.equal((await problemOf(refused)).status, 500);
    }
    assert.equal(subject.state().breaker.state, 'closed');
    assert.equal(subject.state().instances[0]?.ejectedUntil, undefined);
    assert.equal(healthy.hits, 0);
  });
});
