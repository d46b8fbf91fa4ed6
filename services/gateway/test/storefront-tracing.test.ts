import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTelemetry, stopTelemetry } from '@platform/chassis';
import { HEADPHONES, type Shop, startShop } from './shop-stand-in.ts';

// The calls a storefront page makes are spans of the request's trace: each a child of
// the gateway's server span, its context passed on to the service it calls. Tracing is
// on for this whole process, so it has a file of its own.

type Exporter = NonNullable<Parameters<typeof startTelemetry>[0]['exporter']>;
type FinishedSpan = Parameters<Exporter['export']>[0][number];
const finished: FinishedSpan[] = [];
const exporter: Exporter = {
  export(spans, done) {
    finished.push(...spans);
    done({ code: 0 });
  },
  async shutdown() {},
};

let shop: Shop;
before(async () => {
  process.env.OTEL_BSP_SCHEDULE_DELAY = '10';
  startTelemetry({ service: 'gateway', sampleRatio: 1, exporter });
  // Never fresh: every page asks the catalog, so every part is a call to see.
  shop = await startShop({ CACHE_FRESH_MS: '0' });
});
after(async () => {
  await shop.close();
  await stopTelemetry();
});

async function spanNamed(name: string, traceId: string): Promise<FinishedSpan> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = finished.find((span) => span.name === name && span.spanContext().traceId === traceId);
    if (found) return found;
    await sleep(20);
  }
  throw new Error(`no span ${name} in trace ${traceId}`);
}

for (const [route, path, expected] of [
  [
    '/api/v1/storefront/products/:id',
    `/api/v1/storefront/products/${HEADPHONES.id}`,
    ['/api/v1/inventory', '/api/v1/products', `/api/v1/products/${HEADPHONES.id}`],
  ],
  [
    '/api/v1/storefront/home',
    '/api/v1/storefront/home',
    ['/api/v1/cart', '/api/v1/categories', '/api/v1/inventory', '/api/v1/products', '/api/v1/products'],
  ],
] as const) {
  test(`storefront tracing - every call of ${route} is a child span of the request, its context passed on`, async () => {
    const traceId = crypto.randomUUID().replaceAll('-', '');
    const before = shop.calls.length;
    const response = await fetch(`${shop.url}${path}`, {
      headers: {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        authorization: `Bearer ${await shop.token(['customer'])}`,
      },
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const server = await spanNamed(`GET ${route}`, traceId);
    assert.equal(
      server.parentSpanContext?.spanId,
      '00f067aa0ba902b7',
      "the request continues the caller's trace",
    );
    const children = finished.filter(
      (span) =>
        span.spanContext().traceId === traceId &&
        span.parentSpanContext?.spanId === server.spanContext().spanId,
    );
    assert.deepEqual(children.map((span) => span.attributes['url.path']).sort(), expected);
    const passedOn = shop.calls.slice(before).map((call) => call.traceparent);
    assert.deepEqual(
      passedOn.sort(),
      children.map((span) => `00-${traceId}-${span.spanContext().spanId}-01`).sort(),
      'each service was called in the context of its own client span',
    );
  });
}
