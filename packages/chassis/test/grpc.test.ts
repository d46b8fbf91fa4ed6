import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { trace } from '@opentelemetry/api';
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from '@platform/contracts/gen/grpc/health/v1/health_pb.js';
import {
  QuoteShippingResponseSchema,
  ShippingQuoteService,
} from '@platform/contracts/gen/platform/shipping/v1/quotes_pb.js';
import { eventually, freePort } from '@platform/testkit';
import {
  createHttpClient,
  createService,
  createServiceClient,
  currentCorrelationId,
  type Discovery,
  grpcClient,
  remainingTime,
  runWithCorrelationId,
  type Service,
  type ServiceInstance,
  serveGrpc,
  startTelemetry,
  staticDiscovery,
  stopTelemetry,
} from '../src/index.ts';

// A gRPC service on the chassis: a handler that answers at once, or waits as long as
// its caller lets it (to see the deadline arrive), recording what context it ran in.
let service: Service;
let url: string;
const seen: Array<{
  remainingMs: number | undefined;
  correlationId: string | undefined;
  traceId: string | undefined;
}> = [];

type Exporter = NonNullable<Parameters<typeof startTelemetry>[0]['exporter']>;
const finished: Array<Parameters<Exporter['export']>[0][number]> = [];
const exporter: Exporter = {
  export(spans, done) {
    finished.push(...spans);
    done({ code: 0 });
  },
  async shutdown() {},
};

before(async () => {
  process.env.OTEL_BSP_SCHEDULE_DELAY = '10';
  startTelemetry({ service: 'grpc-test', sampleRatio: 1, exporter });
  service = await createService({ name: 'grpc-test', logLevel: 'silent' });
  await service.listen({ host: '127.0.0.1', port: 0 });
  url = await serveGrpc(service, {
    host: '127.0.0.1',
    port: 0,
    routes: (router) =>
      router.service(ShippingQuoteService, {
        async quoteShipping(request, context) {
          seen.push({
            remainingMs: remainingTime(),
            correlationId: currentCorrelationId(),
            traceId: trace.getActiveSpan()?.spanContext().traceId,
          });
          if (request.country === 'SLOW')
            await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
          return create(QuoteShippingResponseSchema, { service: 'test', estimatedDays: 1 });
        },
      }),
  });
});
after(async () => {
  await service.shutdown('test over');
  await stopTelemetry();
});

const transport = () => createGrpcTransport({ baseUrl: url });

test('grpc - a call and its answer over HTTP/2, in the caller’s trace and correlation id', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const answer = await createClient(ShippingQuoteService, transport()).quoteShipping(
    { country: 'DE', weightGrams: 100, currency: 'EUR' },
    { headers: { 'x-correlation-id': 'grpc-round-trip', traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
  );
  assert.equal(answer.service, 'test');
  const handled = seen.at(-1);
  assert.equal(handled?.correlationId, 'grpc-round-trip');
  assert.equal(handled?.traceId, traceId, 'the server span is in the caller’s trace');
  let span: (typeof finished)[number] | undefined;
  for (let attempt = 0; attempt < 100 && !span; attempt++) {
    span = finished.find((each) => each.spanContext().traceId === traceId);
    if (!span) await sleep(20);
  }
  assert.equal(span?.name, 'POST /platform.shipping.v1.ShippingQuoteService/QuoteShipping');
  assert.equal(span?.parentSpanContext?.spanId, '00f067aa0ba902b7', 'a child of the caller’s span');
  assert.equal(span?.attributes['rpc.system'], 'grpc');
  assert.equal(span?.attributes['rpc.grpc.status_code'], 0);
});

test('grpc - the caller’s deadline is the handler’s: it sees what is left, and the caller gets DEADLINE_EXCEEDED', async () => {
  const started = Date.now();
  await assert.rejects(
    createClient(ShippingQuoteService, transport()).quoteShipping(
      { country: 'SLOW', weightGrams: 1, currency: 'EUR' },
      { timeoutMs: 300 },
    ),
    (error: unknown) => error instanceof ConnectError && error.code === Code.DeadlineExceeded,
  );
  assert.ok(Date.now() - started < 5_000, 'the caller did not wait for the handler');
  const left = seen.at(-1)?.remainingMs;
  assert.ok(left !== undefined && left > 0 && left <= 300, `the handler had ${left} ms left`);
});

test('grpc - every RPC served is counted and timed by method and status code', async () => {
  const served = async (code: string) => {
    const metrics = await service.metrics.getMetricsAsJSON();
    const values = (metrics.find((metric) => metric.name === 'rpc_server_requests_total')?.values ??
      []) as Array<{
      labels: Record<string, unknown>;
      value: number;
    }>;
    const entry = values.find(
      ({ labels }) =>
        labels.rpc_service === 'platform.shipping.v1.ShippingQuoteService' &&
        labels.rpc_method === 'QuoteShipping' &&
        labels.code === code,
    );
    return entry?.value ?? 0;
  };
  const before = { ok: await served('OK'), late: await served('DeadlineExceeded') };
  const client = createClient(ShippingQuoteService, transport());
  await client.quoteShipping({ country: 'DE', weightGrams: 100, currency: 'EUR' });
  await assert.rejects(
    client.quoteShipping({ country: 'SLOW', weightGrams: 1, currency: 'EUR' }, { timeoutMs: 100 }),
  );
  assert.equal(await served('OK'), before.ok + 1);
  // The handler ends once the deadline has passed: that RPC is counted as its caller saw it.
  await eventually(async () => (await served('DeadlineExceeded')) === before.late + 1);
  assert.equal(await served('OK'), before.ok + 1, 'the late answer is not counted as served');
  const text = await service.metrics.metrics();
  assert.match(text, /rpc_server_duration_seconds_count\{[^}]*rpc_method="QuoteShipping"[^}]*code="OK"/);
});

test('grpc - the standard health protocol: the server and its services serving, an unknown one NOT_FOUND', async () => {
  const health = createClient(Health, transport());
  assert.equal((await health.check({ service: '' })).status, Status.SERVING);
  assert.equal(
    (await health.check({ service: 'platform.shipping.v1.ShippingQuoteService' })).status,
    Status.SERVING,
  );
  await assert.rejects(
    health.check({ service: 'no.such.Service' }),
    (error: unknown) => error instanceof ConnectError && error.code === Code.NotFound,
  );
});

/** Discovery that knows `instances` of shipping (each with the gRPC URL it would announce). */
function discoveryOf(grpcUrls: string[]): Discovery {
  const instances: ServiceInstance[] = grpcUrls.map((grpc, index) => ({
    service: 'shipping',
    instanceId: `shipping-${index}`,
    url: 'http://127.0.0.1:1',
    version: '1.0.0',
    zone: 'default',
    metadata: { grpc },
  }));
  return { ...staticDiscovery({}), instances: async () => instances, watch: () => () => {} };
}

test('grpc - through the service client: a dead instance is retried on a live one (the method changes nothing)', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const services = createServiceClient({
    service: 'shipping',
    discovery: discoveryOf([dead, url]),
    http: createHttpClient(),
    strategy: 'round-robin',
  });
  const shipping = grpcClient(services, ShippingQuoteService);
  try {
    for (let i = 0; i < 6; i++) {
      const answer = await shipping.rpc.quoteShipping({ country: 'DE', weightGrams: 1, currency: 'EUR' });
      assert.equal(answer.service, 'test');
    }
    const dead0 = services.state().instances.find((instance) => instance.instanceId === 'shipping-0');
    assert.ok(dead0?.ejectedUntil, 'the dead instance is ejected after its failures');
  } finally {
    shipping.close();
    services.close();
  }
});

test('grpc - through the service client: the caller’s own deadline travels as grpc-timeout, with its correlation id', async () => {
  const services = createServiceClient({
    service: 'shipping',
    discovery: discoveryOf([url]),
    http: createHttpClient(),
  });
  const shipping = grpcClient(services, ShippingQuoteService);
  try {
    const slow = () => shipping.rpc.quoteShipping({ country: 'SLOW', weightGrams: 1, currency: 'EUR' });
    await assert.rejects(
      runWithCorrelationId('grpc-deadline', slow, Date.now() + 250),
      (error: unknown) => error instanceof ConnectError && error.code === Code.DeadlineExceeded,
    );
    const left = seen.at(-1)?.remainingMs;
    assert.ok(left !== undefined && left <= 250, `the handler had ${left} ms left of the caller's 250`);
    assert.equal(seen.at(-1)?.correlationId, 'grpc-deadline');
  } finally {
    shipping.close();
    services.close();
  }
});
