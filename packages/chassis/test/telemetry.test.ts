import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { adminDatabaseUrl } from '@platform/testkit';
import { spawnFixture } from './helpers-process.ts';

interface ExportedSpan {
  traceId: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
}

/** A stand-in OpenTelemetry collector: what the service exports over OTLP/HTTP (JSON). */
async function startCollector() {
  const spans: Array<ExportedSpan & { service: string; correlationId: string | undefined }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
            scopeSpans: Array<{ spans: ExportedSpan[] }>;
          }>;
        };
        for (const resourceSpans of payload.resourceSpans) {
          const service =
            resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans) {
              const correlationId = span.attributes?.find((a) => a.key === 'platform.correlation_id')?.value
                .stringValue;
              spans.push({ ...span, service, correlationId });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, server };
}

/** The relay fixture with tracing on, exporting every sampled span to `collectorUrl`. */
function startTracedRelay(collectorUrl: string, env: Record<string, string> = {}) {
  const fixture = join(import.meta.dirname, 'fixtures', 'relay-service.ts');
  return spawnFixture(['--import', '@platform/chassis/telemetry-preload', fixture], {
    SERVICE_NAME: 'relay',
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    ...env,
  });
}

test('tracing - spans of HTTP in, HTTP out and SQL are exported over OTLP with the caller trace id', async () => {
  const collector = await startCollector();
  const relay = await startTracedRelay(collector.url, { DATABASE_URL: adminDatabaseUrl() });
  const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  try {
    const headers = { traceparent: `00-${traceId}-1122334455667788-01` };
    assert.equal((await fetch(`${relay.firstLine}/now`, { headers })).status, 200);
    assert.equal((await fetch(`${relay.firstLine}/inline`, { headers })).status, 200);
    const relayed = await fetch(
      `${relay.firstLine}/relay?to=${encodeURIComponent(`${relay.firstLine}/healthz`)}`,
      {
        headers,
      },
    );
    assert.equal(relayed.status, 200);
  } finally {
    // Shutdown flushes the batch of spans.
    relay.child.kill('SIGTERM');
    assert.equal(await relay.exited, 0);
    collector.server.close();
  }
  const ours = collector.spans.filter((span) => span.traceId === traceId);
  assert.ok(
    ours.every((span) => span.service === 'relay'),
    'spans name their service',
  );
  const names = ours.map((span) => span.name);
  const SERVER = 2;
  const CLIENT = 3;
  assert.ok(
    ours.some((span) => span.kind === SERVER && /GET/.test(span.name)),
    `an HTTP server span: ${names}`,
  );
  assert.ok(
    ours.some((span) => span.kind === CLIENT && /GET/.test(span.name)),
    `an outgoing HTTP span: ${names}`,
  );
  assert.ok(
    ours.some((span) => /pg\.query|SELECT/.test(span.name)),
    `a PostgreSQL span: ${names}`,
  );
  const texts = ours.flatMap((span) =>
    (span.attributes ?? []).filter((a) => a.key === 'db.query.text').map((a) => a.value.stringValue ?? ''),
  );
  assert.ok(
    texts.includes("BEGIN; SELECT '?' AS secret"),
    `a statement sent with BEGIN is shown without its inlined value: ${texts}`,
  );
  assert.ok(!texts.some((text) => text.includes('customer address')), 'the value is in no span');
});

test('tracing - an unsampled caller trace is not exported', async () => {
  const collector = await startCollector();
  const relay = await startTracedRelay(collector.url);
  const traceId = 'ffeeddccbbaa99887766554433221100';
  try {
    const response = await fetch(`${relay.firstLine}/slow?ms=1`, {
      headers: { traceparent: `00-${traceId}-1122334455667788-00` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('traceparent') ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  } finally {
    relay.child.kill('SIGTERM');
    await relay.exited;
    collector.server.close();
  }
  assert.deepEqual(
    collector.spans.filter((span) => span.traceId === traceId),
    [],
  );
});

test('tracing - the platform collector (PLATFORM_TRACES_URL) gets the spans beside the one OTEL_* names; plumbing routes make none', async () => {
  const standard = await startCollector();
  const platform = await startCollector();
  const relay = await startTracedRelay(standard.url, { PLATFORM_TRACES_URL: `${platform.url}/v1/traces` });
  const traceId = '0123456789abcdef0123456789abcdef';
  const plumbingTrace = 'abcdef0123456789abcdef0123456789';
  try {
    const response = await fetch(`${relay.firstLine}/slow?ms=1`, {
      headers: { traceparent: `00-${traceId}-1122334455667788-01`, 'x-correlation-id': 'corr-tracing-1' },
    });
    assert.equal(response.status, 200);
    const plumbing = await fetch(`${relay.firstLine}/plumbing`, {
      headers: { traceparent: `00-${plumbingTrace}-1122334455667788-01` },
    });
    assert.equal(plumbing.status, 200);
    assert.equal(plumbing.headers.get('traceparent'), null, 'a route marked untraced makes no span');
  } finally {
    relay.child.kill('SIGTERM');
    await relay.exited;
    standard.server.close();
    platform.server.close();
  }
  for (const collector of [standard, platform]) {
    const ours = collector.spans.filter((span) => span.traceId === traceId);
    assert.equal(ours.length, 1, 'each collector has the server span');
    assert.equal(ours[0]?.correlationId, 'corr-tracing-1', 'the span carries the correlation id');
    assert.deepEqual(
      collector.spans.filter((span) => span.traceId === plumbingTrace),
      [],
    );
  }
});
