import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ExportTraceRequest, type SpanRecord, spansOf } from '../src/traces/otlp.ts';
import { SpanStore } from '../src/traces/store.ts';
import { edgesOf, trafficOf } from '../src/traces/topology.ts';

const T0 = 1_760_000_000_000;
const nanos = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n);
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** An export request as a service's OTLP/HTTP JSON exporter sends it. */
function exportOf(
  service: string,
  spans: Array<{
    trace: string;
    id: string;
    parent?: string;
    name: string;
    kind: number;
    at: number;
    ms: number;
    error?: boolean;
    attributes?: ReturnType<typeof str>[];
  }>,
): ExportTraceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', service), str('service.instance.id', `${service}-1`)] },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: s.trace,
              spanId: s.id,
              ...(s.parent ? { parentSpanId: s.parent } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.at),
              endTimeUnixNano: nanos(s.at + s.ms),
              attributes: s.attributes ?? [],
              status: { code: s.error ? 2 : 0 },
            })),
          },
        ],
      },
    ],
  };
}

const TRACE = 'aa'.repeat(16);
const OTHER = 'bb'.repeat(16);
/** A checkout: the gateway calls order, which publishes an event that payment processes. */
function checkout(trace: string, at: number, correlation: string): SpanRecord[] {
  return [
    ...spansOf(
      exportOf('gateway', [
        {
          trace,
          id: '0000000000000001',
          name: 'POST /api/v1/orders',
          kind: 2,
          at,
          ms: 40,
          attributes: [str('platform.correlation_id', correlation)],
        },
        {
          trace,
          id: '0000000000000002',
          parent: '0000000000000001',
          name: 'POST',
          kind: 3,
          at: at + 2,
          ms: 30,
          attributes: [str('server.address', '127.0.0.1:4001')],
        },
      ]),
    ),
    ...spansOf(
      exportOf('order', [
        {
          trace,
          id: '0000000000000003',
          parent: '0000000000000002',
          name: 'POST /orders',
          kind: 2,
          at: at + 3,
          ms: 25,
          attributes: [str('http.route', '/orders')],
        },
      ]),
    ),
    ...spansOf(
      exportOf('payment', [
        {
          trace,
          id: '0000000000000004',
          parent: '0000000000000003',
          name: 'OrderPlaced process',
          kind: 5,
          at: at + 50,
          ms: 5,
          attributes: [
            str('messaging.destination.name', 'OrderPlaced'),
            str('cloudevents.event_subject', `order-of-${correlation}`),
          ],
        },
      ]),
    ),
  ];
}

test('otlp - an export request becomes spans with their service, kind, times and attributes', () => {
  const [server, client] = spansOf(
    exportOf('gateway', [
      {
        trace: TRACE,
        id: '0000000000000001',
        name: 'GET /x',
        kind: 2,
        at: T0,
        ms: 12.5,
        error: true,
        attributes: [
          str('http.route', '/x'),
          { key: 'http.response.status_code', value: { intValue: '503' } } as never,
        ],
      },
      {
        trace: TRACE,
        id: '0000000000000002',
        parent: '0000000000000001',
        name: 'GET',
        kind: 3,
        at: T0 + 1,
        ms: 3,
      },
    ]),
  );
  assert.equal(server?.service, 'gateway');
  assert.equal(server?.instance, 'gateway-1');
  assert.equal(server?.kind, 'server');
  assert.equal(server?.startMs, T0);
  assert.equal(server?.durationMs, 12.5);
  assert.equal(server?.error, true);
  assert.deepEqual(server?.attributes, { 'http.route': '/x', 'http.response.status_code': 503 });
  assert.equal(client?.kind, 'client');
  assert.equal(client?.parentSpanId, '0000000000000001');
});

test('span store - search by service, route, status, duration, trace id and correlation id', () => {
  const store = new SpanStore({ maxSpans: 1_000, maxAgeMs: 60_000, maxSpansPerTrace: 100 }, () => T0);
  store.add(checkout(TRACE, T0, 'corr-1'));
  store.add(
    spansOf(
      exportOf('catalog', [
        {
          trace: OTHER,
          id: '0000000000000009',
          name: 'GET /products',
          kind: 2,
          at: T0 + 5,
          ms: 2,
          error: true,
        },
      ]),
    ),
  );
  const ids = (found: Array<{ traceId: string }>) => found.map((t) => t.traceId);
  assert.deepEqual(ids(store.search({})), [OTHER, TRACE], 'newest first');
  assert.deepEqual(ids(store.search({ service: 'payment' })), [TRACE]);
  assert.deepEqual(ids(store.search({ route: '/orders' })), [TRACE]);
  assert.deepEqual(ids(store.search({ status: 'error' })), [OTHER]);
  assert.deepEqual(ids(store.search({ status: 'ok' })), [TRACE]);
  assert.deepEqual(ids(store.search({ minDurationMs: 50 })), [TRACE], 'the checkout spans 55 ms');
  assert.deepEqual(ids(store.search({ traceId: OTHER.toUpperCase() })), [OTHER]);
  assert.deepEqual(ids(store.search({ correlationId: 'corr-1' })), [TRACE]);
  assert.deepEqual(
    ids(store.search({ subject: 'order-of-corr-1' })),
    [TRACE],
    'found by the subject of its event',
  );
  const [summary] = store.search({ traceId: TRACE });
  assert.equal(summary?.root.name, 'POST /api/v1/orders');
  assert.deepEqual(summary?.services, ['gateway', 'order', 'payment']);
  assert.equal(summary?.correlationId, 'corr-1');
  assert.equal(summary?.durationMs, 55);
});

test('span store - bounded: the oldest traces go first when over the size, and any past the age', () => {
  let now = T0;
  const store = new SpanStore({ maxSpans: 8, maxAgeMs: 60_000, maxSpansPerTrace: 3 }, () => now);
  store.add(checkout('01'.repeat(16), T0, 'a'));
  store.add(checkout('02'.repeat(16), T0, 'b'));
  assert.equal(store.trace('01'.repeat(16))?.length, 3, 'a trace keeps at most maxSpansPerTrace spans');
  store.add(checkout('03'.repeat(16), T0, 'c'));
  assert.equal(store.trace('01'.repeat(16)), undefined, 'the oldest trace made room');
  assert.deepEqual(store.size, { traces: 2, spans: 6 });
  now += 61_000;
  store.add(checkout('04'.repeat(16), now, 'd'));
  assert.deepEqual(store.size, { traces: 1, spans: 3 }, 'traces past the age are gone');
});

test('topology - HTTP edges from client spans, bus edges from consumer spans to their parent service', () => {
  const store = new SpanStore({ maxSpans: 1_000, maxAgeMs: 60_000, maxSpansPerTrace: 100 }, () => T0);
  store.add(checkout(TRACE, T0, 'x'));
  store.add(checkout(OTHER, T0 + 100, 'y'));
  const spans = store.recent(60_000);
  const edges = edgesOf(
    spans,
    (address) => (address === '127.0.0.1:4001' ? 'order' : undefined),
    (span) => (span.parentSpanId ? store.span(span.traceId, span.parentSpanId) : undefined),
  );
  assert.deepEqual(
    edges.map((e) => [e.from, e.to, e.kind, e.count, e.p99Ms, e.types]),
    [
      ['gateway', 'order', 'http', 2, 30, []],
      ['order', 'payment', 'bus', 2, 22, ['OrderPlaced']],
    ],
  );
  // A service's own database calls are not edges; an address with its port apart is still found.
  const more = spansOf(
    exportOf('order', [
      {
        trace: TRACE,
        id: '00000000000000a1',
        parent: '0000000000000003',
        name: 'pg.query:SELECT order',
        kind: 3,
        at: T0 + 5,
        ms: 1,
        attributes: [str('db.system.name', 'postgresql'), str('server.address', '127.0.0.1')],
      },
      {
        trace: TRACE,
        id: '00000000000000a2',
        parent: '0000000000000003',
        name: 'GET',
        kind: 3,
        at: T0 + 6,
        ms: 4,
        attributes: [
          str('server.address', '127.0.0.1'),
          { key: 'server.port', value: { intValue: 4001 } } as never,
        ],
      },
    ]),
  );
  assert.deepEqual(
    edgesOf(
      more,
      (address) => (address === '127.0.0.1:4001' ? 'cart' : undefined),
      () => undefined,
    ).map((e) => [e.from, e.to]),
    [['order', 'cart']],
  );
  // A 404 or 401 is the caller's doing: an error on its span, not a failure of the service.
  const answered = (status: number) =>
    spansOf(
      exportOf('gateway', [
        {
          trace: OTHER,
          id: `00000000000000${status === 404 ? 'b1' : 'b2'}`,
          name: 'GET',
          kind: 3,
          at: T0,
          ms: 2,
          error: true,
          attributes: [
            str('server.address', '127.0.0.1:4001'),
            { key: 'http.response.status_code', value: { intValue: status } } as never,
          ],
        },
      ]),
    );
  const [edge] = edgesOf(
    [...answered(404), ...answered(503)],
    () => 'catalog',
    () => undefined,
  );
  assert.deepEqual([edge?.count, edge?.errors], [2, 1]);
  const traffic = trafficOf(spans);
  assert.deepEqual(traffic.get('payment'), { service: 'payment', handled: 2, errors: 0 });
  assert.equal(traffic.get('gateway')?.handled, 2);
});

test('topology page - a service down or under a fault is drawn so; names from spans are escaped', async () => {
  const { topologyView } = await import('../src/pages/topology.ts');
  const { markupOf } = await import('@platform/web');
  const edges = [
    { from: 'gateway', to: 'catalog', kind: 'http' as const, count: 60, errors: 30, p99Ms: 812, types: [] },
    {
      from: 'gateway',
      to: '<script>x</script>',
      kind: 'http' as const,
      count: 6,
      errors: 0,
      p99Ms: 3,
      types: [],
    },
  ];
  const page = markupOf(
    topologyView(
      [
        { service: 'gateway', instances: 1, ready: 1, faulted: false },
        { service: 'catalog', instances: 1, ready: 1, faulted: true },
        { service: 'cart', instances: 2, ready: 0, faulted: false },
      ],
      edges,
      new Map([['catalog', { service: 'catalog', handled: 60, errors: 30 }]]),
      60_000,
    ),
  );
  assert.match(page, /gateway ready · catalog degraded \(fault\) · cart down/);
  assert.match(page, /catalog 1\/1 · FAULT/);
  assert.match(page, /cart 0\/2 · DOWN/);
  assert.match(page, /1\.0\/s · 50\.0% err · p99 812 ms/);
  assert.doesNotMatch(page, /<script>/);
  assert.match(page, /&lt;script&gt;/);
});

test('trace page - spans under their parents, with the selected span described and a way to its logs', async () => {
  const { traceWaterfall } = await import('../src/pages/traces.ts');
  const { markupOf } = await import('@platform/web');
  const spans = checkout(TRACE, T0, 'corr-w');
  const page = markupOf(traceWaterfall(TRACE, spans, '0000000000000004'));
  const order = [...page.matchAll(/<th scope="row" class="depth-(\d+)"><a [^>]+>([^<]+)<\/a>/g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  assert.deepEqual(order, ['0 POST /api/v1/orders', '1 POST', '2 POST /orders', '3 OrderPlaced process']);
  assert.match(page, /4 spans across 3 services/);
  assert.match(page, new RegExp(`href="/logs\\?traceId=${TRACE}"`));
  assert.match(page, /<h2>payment: OrderPlaced process<\/h2>/);
  assert.match(page, /<dt>messaging.destination.name<\/dt><dd>OrderPlaced<\/dd>/);
  assert.match(markupOf(traceWaterfall(OTHER, undefined)), /is not kept here/);
});
