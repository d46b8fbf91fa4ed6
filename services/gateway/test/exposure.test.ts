import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { whyNotCanonical } from '../src/domain/canonical-path.ts';
import { exposedRoutes } from '../src/exposure.ts';
import { type GatewayWithStandIn, gatewayWithStandIn, rawRequest } from './stand-in.ts';

// The route table is the one list of what the edge exposes, matched on one spelling
// of a path and forwarded exactly as matched: the reproductions of finding 3.

const TRAVERSALS = [
  '/api/v1/products/../../../metrics',
  '/api/v1/products/%2e%2e/%2e%2e/%2e%2e/metrics',
  '/api/v1/products/%2E./%2E./%2E./metrics',
  '/api/v1/products/.%2e/.%2E/.%2e/readyz',
  '/api/v1/products/..%2f..%2f..%2fmetrics',
  '/api/v1/products/..%2F..%2F..%2Fmetrics',
  '/api/v1/products/..\\..\\..\\metrics',
  '/api/v1/products/..%5c..%5c..%5cmetrics',
  '/api/v1/products//../../metrics',
  '/api/v1/products/./x',
  '/api/v1/products;x=1/../../../metrics',
  '/api/v1/products/x;/../../../metrics',
  '/api/v1/products/x%3b/..',
  '/api/v1/products/%00/../metrics',
  '/api/v1/products/%c0%ae%c0%ae/%c0%ae%c0%ae/metrics',
  '/api/v1/products/%e0%80%ae%e0%80%ae/metrics',
  '/api/v1/products/%2',
  '/api/v1/%70roducts',
  '/api/v1/cart/../../../readyz',
  '/api/v1/cart/%2e%2e/%2e%2e/%2e%2e/healthz',
];

describe('canonical paths', () => {
  test('exposure - every spelling of .., encoded separators, ;, NUL and overlong UTF-8 is refused', () => {
    for (const path of TRAVERSALS) assert.ok(whyNotCanonical(path), path);
  });

  test('exposure - ordinary paths, encoded non-ASCII and encoded reserved characters are canonical', () => {
    for (const path of [
      '/',
      '/api/v1/products',
      '/api/v1/products/',
      '/api/v1/products/0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5b',
      '/api/v1/categories/caf%C3%A9',
      "/api/v1/products/a:b@c!$&'()*+,=",
      '/api/v1/products/%252e%252e',
      '/api/v1/products/50%25',
    ]) {
      assert.equal(whyNotCanonical(path), undefined, path);
    }
  });
});

describe('the route table at the edge', () => {
  let g: GatewayWithStandIn;
  before(async () => {
    g = await gatewayWithStandIn(['CATALOG_URL', 'CART_URL']);
  });
  after(() => g.close());

  test('exposure - a path that is not canonical is a 400 problem and reaches no upstream, with or without an admin token', async () => {
    const admin = { authorization: `Bearer ${await g.token(['admin'])}` };
    for (const path of [...TRAVERSALS, '/api/v1/products/../../../admin/dead-letters']) {
      for (const headers of [{}, admin]) {
        const response = await g.raw('GET', path, headers);
        assert.equal(response.status, 400, path);
        assert.equal(response.headers['content-type']?.split(';')[0], 'application/problem+json', path);
        assert.equal(JSON.parse(response.body).code, 'PATH_NOT_CANONICAL', path);
      }
    }
    assert.deepEqual(g.seen, []);
  });

  test('exposure - a canonical path and its query are forwarded byte for byte', async () => {
    for (const path of [
      '/api/v1/products/caf%C3%A9?q=..%2F..&x=%3Cb%3E',
      '/api/v1/products/%252e%252e',
      '/api/v1/cart/items/a:b@c',
    ]) {
      const response = await g.raw('GET', path);
      assert.equal(response.status, 200, path);
      assert.equal(g.seen.at(-1), `GET ${path}`);
    }
  });

  test('exposure - the gateway’s metrics are not on the public listener but on the management one', async () => {
    const admin = { authorization: `Bearer ${await g.token(['admin'])}` };
    for (const [method, path] of [
      ['GET', '/metrics'],
      ['GET', '/openapi.json'],
      ['GET', '/admin/faults'],
      ['DELETE', '/admin/faults'],
    ] as const) {
      const response = await g.raw(method, path, admin);
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.headers['content-type']?.split(';')[0], 'application/problem+json');
    }
    const metrics = await fetch(`${g.gateway.managementUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^client_circuit_state\{upstream="catalog",[^}]*\} 0$/m);
    const elsewhere = await rawRequest(g.gateway.managementUrl, 'GET', '/api/v1/products');
    assert.equal(elsewhere.status, 404, 'the management listener serves nothing of the API');
    for (const path of ['/healthz', '/readyz']) assert.equal((await g.raw('GET', path)).status, 200, path);
  });

  test('exposure - the gateway’s own routes take their access and rate limit from the table', async () => {
    for (const path of [
      '/api/v1/admin/resilience',
      '/api/v1/orders/0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5b/details',
    ]) {
      assert.equal((await g.call('GET', path)).status, 401, path);
    }
    assert.equal((await g.call('GET', '/api/v1/admin/instances', ['customer'])).status, 403);
    const admin = await g.call('GET', '/api/v1/admin/resilience', ['admin']);
    assert.equal(admin.status, 200);
    assert.equal(admin.headers.get('ratelimit-limit'), '120', 'the browse policy');
    const faults = await g.call('GET', '/api/v1/admin/faults/gateway', ['admin']);
    assert.equal(faults.headers.get('ratelimit-limit'), '30', 'the write policy');
    assert.equal((await g.call('GET', '/api/docs/openapi.json')).headers.get('ratelimit-limit'), '120');
    const probe = await g.call('GET', '/readyz');
    assert.equal(probe.headers.get('ratelimit-limit'), null, 'health probes are never limited');
  });

  test('exposure - every route registered on the public listener is in the route table, or refused', async () => {
    const listed = new Set(exposedRoutes().map(({ method, url }) => `${method} ${url}`));
    const admin = { authorization: `Bearer ${await g.token(['admin'])}` };
    const registered = registeredRoutes(g);
    assert.ok(registered.length > listed.size / 2, `read ${registered.length} routes`);
    for (const { method, url } of registered) {
      if (listed.has(`${method} ${url}`)) continue;
      const path = url.replaceAll(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'x');
      const response = await g.raw(method, path, admin);
      assert.equal(response.status, 404, `${method} ${url} is not in the table, yet answered`);
    }
  });
});

/**
 * Every method and pattern Fastify has registered, read from `printRoutes` (Fastify
 * has no list of them), each confirmed by `findRoute` so a misread fails the test.
 */
function registeredRoutes(g: GatewayWithStandIn): Array<{ method: string; url: string }> {
  const found: Array<{ method: string; url: string }> = [];
  const parents: string[] = [];
  for (const line of g.gateway.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line.replaceAll(/\u00a0/g, ' '));
    if (!match?.[2]) continue;
    const depth = (match[1] ?? '').length / 4;
    const parent = parents[depth - 1] ?? '';
    const candidates = match[2] === '*' ? [`${parent}/*`, `${parent}*`] : [`${parent}${match[2]}`];
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      const url = candidates.find((each) => g.gateway.app.findRoute({ method: method as 'GET', url: each }));
      assert.ok(url, `could not read ${method} ${candidates.join(' or ')} from printRoutes`);
      found.push({ method, url });
    }
    parents[depth] = candidates.find((each) => each !== `${parent}*`) ?? `${parent}${match[2]}`;
  }
  return found;
}
