import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '@platform/testkit';
import { callOf, statusLines, UsageError } from '../src/commands.ts';

test('release cli - each command is one call of the release admin API', () => {
  assert.deepEqual(callOf(['canary', 'catalog', '2.0.0'], { steps: '5,25,50,100' }), {
    method: 'POST',
    path: '/api/v1/admin/releases/catalog/canary',
    body: { version: '2.0.0', steps: [5, 25, 50, 100] },
  });
  assert.deepEqual(callOf(['switch', 'catalog', 'green'], {}), {
    method: 'POST',
    path: '/api/v1/admin/releases/catalog/switch',
    body: { colour: 'green' },
  });
  assert.deepEqual(callOf(['rollback', 'catalog'], {}), {
    method: 'POST',
    path: '/api/v1/admin/releases/catalog/rollback',
  });
  assert.deepEqual(callOf(['status'], {}), { method: 'GET', path: '/api/v1/admin/releases' });
  assert.deepEqual(callOf(['weights', 'catalog', '1.0.0=90,2.0.0=10'], {}).body, {
    weights: { '1.0.0': 90, '2.0.0': 10 },
  });
  assert.deepEqual(
    callOf(['blue-green', 'catalog'], { blue: '1.0.0', green: '2.0.0', 'smoke-path': '/api/v1/categories' })
      .body,
    {
      blue: '1.0.0',
      green: '2.0.0',
      smokePath: '/api/v1/categories',
    },
  );
});

test('release cli - a command line that stands for no call is a usage error', () => {
  for (const line of [
    [],
    ['canary', 'catalog'],
    ['switch', 'catalog', 'purple'],
    ['launch', 'catalog'],
    ['weights', 'catalog', '1.0.0'],
  ]) {
    assert.throws(() => callOf(line, {}), UsageError, line.join(' '));
  }
  assert.throws(() => callOf(['canary', 'catalog', '2.0.0'], { steps: '5,x' }), /numbers/);
});

test('release cli - status shows each release, where its traffic goes, and the newest decisions', () => {
  const lines = statusLines({
    store: 'memory',
    releases: [
      {
        release: {
          kind: 'canary',
          service: 'catalog',
          id: 'r1',
          state: 'running',
          step: 1,
          steps: [5, 25, 50, 100],
        },
        shares: [
          { version: '2.0.0', percent: 25 },
          { version: '0.1.0', percent: 75 },
        ],
      },
    ],
    decisions: [
      {
        at: '2026-01-01T00:00:00.000Z',
        service: 'catalog',
        action: 'promote',
        by: 'analysis',
        reason: 'healthy',
      },
    ],
  });
  assert.equal(lines[0], 'catalog\tcanary, step 2 of 4\t2.0.0 25 %, 0.1.0 75 %');
  assert.match(lines.at(-1) ?? '', /catalog\tpromote\tanalysis\thealthy/);
  assert.deepEqual(statusLines({ releases: [], decisions: [] }), [
    'no release: every instance of every service serves',
  ]);
});

test('release cli - a gateway that cannot be reached ends it with a sentence, not a stack trace', async () => {
  const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
  // A port just found free: nothing listens there, the connection is refused.
  const port = await freePort();
  const run = spawnSync(process.execPath, [cli, 'status', '--gateway', `http://127.0.0.1:${port}`], {
    env: { ...process.env, ADMIN_TOKEN: 'a-token' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    new RegExp(`cannot reach http://127.0.0.1:${port} \\(ECONNREFUSED\\): is the platform running`),
  );
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

test("release cli - an answer that is not JSON ends it with the status and the answer's start, not a stack trace", async () => {
  const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
  // What a proxy in front of the gateway answers when the gateway is gone.
  const proxy = createServer((_request, response) => {
    response.writeHead(502, { 'content-type': 'text/html' });
    response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const { port } = proxy.address() as { port: number };
  const child = spawn(process.execPath, [cli, 'status', '--gateway', `http://127.0.0.1:${port}`], {
    env: { ...process.env, ADMIN_TOKEN: 'a-token' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [status] = (await once(child, 'exit')) as [number];
  proxy.close();
  assert.equal(status, 1);
  assert.match(stderr, /^502 \(not JSON\): <html><body><h1>502 Bad Gateway/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
