// The launcher counts a service ready only when its own process answers: another
// one that took the planned port must not pass for it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { waitUntilReady } from '../src/readiness.ts';

test('readiness - a ready answer counts only from the expected process', async () => {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready","pid":4242}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    assert.ok((await waitUntilReady(url, { timeoutMs: 1_000, pid: () => 4242 })) >= 0);
    assert.ok((await waitUntilReady(url, { timeoutMs: 1_000 })) >= 0, 'no pid to check: any ready answer');
    await assert.rejects(
      waitUntilReady(url, { timeoutMs: 500, pid: () => 1111 }),
      /another process \(pid 4242\) answers on its port/,
    );
  } finally {
    server.close();
  }
});
