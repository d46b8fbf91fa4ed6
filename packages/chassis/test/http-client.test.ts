import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createHttpClient, splitUrl } from '../src/http-client.ts';
import { startUpstream } from './resilience/upstreams.ts';

const http = createHttpClient();
after(() => http.close());

test('http client - the path is sent byte for byte: no dot segment resolved, no encoding changed', async () => {
  const seen: string[] = [];
  const upstream = await startUpstream((request, response) => {
    seen.push(request.url ?? '');
    response.end();
  });
  try {
    const paths = [
      '/api/v1/products/../../../metrics',
      '/api/v1/products/%2e%2e/%2E./admin',
      '/a/.%2E/b%2fc%5Cd;e=f?q=../x&r=%00',
      '/caf%C3%A9//x',
    ];
    for (const path of paths)
      await (await http.request({ method: 'GET', url: `${upstream.url}${path}` })).body.dump();
    assert.deepEqual(seen, paths);
  } finally {
    await upstream.close();
  }
});

test('http client - splitUrl keeps the path as written and only normalises the origin', () => {
  assert.deepEqual(splitUrl('HTTP://Example.TEST:80/a/../b?c=%2e'), {
    origin: 'http://example.test',
    path: '/a/../b?c=%2e',
  });
  assert.deepEqual(splitUrl('http://127.0.0.1:9?q=1'), { origin: 'http://127.0.0.1:9', path: '/?q=1' });
  assert.deepEqual(splitUrl('http://127.0.0.1:9'), { origin: 'http://127.0.0.1:9', path: '/' });
  assert.throws(() => splitUrl('/relative/path'), TypeError);
});
