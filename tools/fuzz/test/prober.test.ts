// The prober against a real HTTP server that misbehaves on purpose: a failure that the
// machine may cause (here a connection closed with no answer) is sent again, and one
// that does not repeat is reported apart, saying what it was, not counted.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { type FuzzRequest, type OpenApiDocument, Prober } from '@platform/fuzz';

const document: OpenApiDocument = {
  paths: {
    '/api/v1/things': {
      post: {
        responses: {
          201: {
            content: {
              'application/json': {
                schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
  },
};

const request: FuzzRequest = {
  operation: 'POST /api/v1/things',
  kind: 'valid',
  auth: 'none',
  method: 'POST',
  path: '/api/v1/things',
  headers: { 'content-type': 'application/json' },
  body: '{"name":"gear"}',
};

test('prober - a connection closed once with no answer is sent again, and reported as a flicker saying what it was', async () => {
  let received = 0;
  const server = createServer((incoming, response) => {
    received++;
    // The first request: the connection is dropped before any answer.
    if (received === 1) return incoming.socket.destroy();
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end('{"id":"t-1"}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const prober = new Prober({ gateway: `http://127.0.0.1:${port}`, document, token: () => undefined });
  try {
    assert.deepEqual(await prober.probe(request), []);
  } finally {
    prober.close();
    server.close();
  }
  assert.equal(received, 2);
  assert.equal(prober.failures.size, 0);
  const flickers = [...prober.transient];
  assert.equal(flickers.length, 1);
  const [id, flicker] = flickers[0] ?? [];
  assert.equal(id, 'POST /api/v1/things|no-5xx|no answer');
  assert.equal(flicker?.count, 1);
  assert.match(flicker?.first ?? '', /^no answer: .+ \(a valid request\)$/);
});
