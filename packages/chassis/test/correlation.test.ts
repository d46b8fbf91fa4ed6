import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHttpClient, type Service } from '../src/index.ts';
import { startTestService } from './helpers.ts';
import { spawnFixture } from './helpers-process.ts';

// A downstream that answers with the headers it received.
let downstream: Server;
let downstreamUrl: string;
let service: Service;
let url: string;

before(async () => {
  downstream = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(request.headers));
  });
  downstream.listen(0, '127.0.0.1');
  await once(downstream, 'listening');
  const address = downstream.address();
  downstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/echo`;
  const client = createHttpClient();
  ({ service, url } = await startTestService((app) => {
    app.get('/relay', async () => (await client.request({ method: 'GET', url: downstreamUrl })).body.json());
  }));
  service.onShutdown(() => client.close());
});
after(async () => {
  await service.shutdown('test over');
  downstream.close();
});

test('correlation - generated when absent, echoed, and passed to the outgoing call', async () => {
  const response = await fetch(`${url}/relay`);
  const id = response.headers.get('x-correlation-id');
  assert.match(id ?? '', /^[0-9a-f-]{36}$/);
  const seen = (await response.json()) as IncomingHttpHeaders;
  assert.equal(seen['x-correlation-id'], id);
});

test('correlation - a well-formed caller id is kept end to end', async () => {
  const response = await fetch(`${url}/relay`, { headers: { 'x-correlation-id': 'checkout-42.retry:1' } });
  assert.equal(response.headers.get('x-correlation-id'), 'checkout-42.retry:1');
  const seen = (await response.json()) as IncomingHttpHeaders;
  assert.equal(seen['x-correlation-id'], 'checkout-42.retry:1');
});

test('correlation - a malformed caller id is replaced, never echoed', async () => {
  const response = await fetch(`${url}/relay`, { headers: { 'x-correlation-id': 'bad id <script>' } });
  const id = response.headers.get('x-correlation-id');
  assert.notEqual(id, 'bad id <script>');
  assert.match(id ?? '', /^[0-9a-f-]{36}$/);
  await response.body?.cancel();
});

test('logs - one JSON line per request with service, instance, correlation, trace and span ids', async () => {
  const relay = await spawnFixture([join(import.meta.dirname, 'fixtures', 'relay-service.ts')], {
    LOG_LEVEL: 'info',
    INSTANCE_ID: 'relay-7',
  });
  try {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await fetch(`${relay.firstLine}/slow?ms=1`, {
      headers: { 'x-correlation-id': 'order-981', traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    const line = await waitForLine(
      relay.lines,
      (entry) => entry.msg === 'request completed' && entry.route === '/slow',
    );
    assert.equal(line.service, 'relay');
    assert.equal(line.instance, 'relay-7');
    assert.equal(line.correlationId, 'order-981');
    assert.equal(line.status, 200);
    assert.equal(line.level, 'info');
    assert.equal(typeof line.time, 'string');
    // Without the telemetry preload there is no trace to log: ids appear only when tracing runs.
    assert.equal(line.traceId, undefined);
  } finally {
    relay.child.kill('SIGTERM');
    await relay.exited;
  }
});

async function waitForLine(lines: string[], wanted: (entry: Record<string, unknown>) => boolean) {
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const line of lines) {
      const entry = JSON.parse(line.startsWith('{') ? line : '{}') as Record<string, unknown>;
      if (wanted(entry)) return entry;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no such log line in:\n${lines.join('\n')}`);
}

test('tracing - traceparent continues the caller trace into the outgoing call', async () => {
  const relay = await spawnFixture(
    [
      '--import',
      '@platform/chassis/telemetry-preload',
      join(import.meta.dirname, 'fixtures', 'relay-service.ts'),
    ],
    { SERVICE_NAME: 'relay', LOG_LEVEL: 'info' },
  );
  try {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${relay.firstLine}/relay?to=${encodeURIComponent(downstreamUrl)}`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('traceparent') ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const seen = (await response.json()) as IncomingHttpHeaders;
    const logged = await waitForLine(
      relay.lines,
      (entry) => entry.msg === 'request completed' && entry.route === '/relay',
    );
    assert.equal(logged.traceId, traceId, 'the log line carries the trace id');
    assert.match(String(logged.spanId), /^[0-9a-f]{16}$/);
    const outgoing = String(seen.traceparent);
    assert.match(outgoing, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.notEqual(outgoing.split('-')[2], '00f067aa0ba902b7', 'the outgoing call is a new child span');
  } finally {
    relay.child.kill('SIGTERM');
    await relay.exited;
  }
});
