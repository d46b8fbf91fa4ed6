import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type GatewayWithStandIn, gatewayWithStandIn } from './stand-in.ts';

// The shop at the gateway's root (decision 029): its pages and forms go to the storefront
// as they came, its own Cache-Control and Content-Security-Policy reach the browser, and
// nothing else of it is exposed.
describe('the shop at the edge', () => {
  let g: GatewayWithStandIn;
  before(async () => {
    g = await gatewayWithStandIn(['STOREFRONT_URL', 'CATALOG_URL'], {
      answer: (request, response) => {
        const asset = request.url?.startsWith('/assets/');
        response
          .writeHead(200, {
            'content-type': asset ? 'text/css' : 'text/html; charset=utf-8',
            'content-security-policy': "default-src 'self'",
            ...(asset ? { 'cache-control': 'public, max-age=31536000, immutable' } : {}),
          })
          .end(asset ? 'body{}' : '<!doctype html><title>Shop</title>');
      },
    });
  });
  after(() => g.close());

  test('storefront routes - the shop’s pages and forms reach the storefront as they came', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/p/0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5b'],
      ['GET', '/search?q=kett&page=2'],
      ['GET', '/search/suggest?q=k'],
      ['POST', '/cart/items'],
      ['POST', '/checkout'],
      ['GET', '/orders/0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5b/live'],
      ['POST', '/signin'],
      ['POST', '/signout'],
      ['GET', '/assets/shop.css?v=1'],
    ] as const) {
      const response =
        method === 'POST'
          ? await g.raw(method, path, { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1')
          : await g.raw(method, path);
      assert.equal(response.status, 200, `${method} ${path}`);
      assert.equal(g.seen.at(-1), `${method} ${path}`);
    }
    const headers = g.lastHeaders();
    assert.match(String(headers['x-forwarded-host']), /^127\.0\.0\.1:\d+$/, 'the host the browser asked for');
    assert.equal(headers['x-forwarded-proto'], 'http');
  });

  test('storefront routes - the shop’s own Cache-Control and CSP reach the browser; none means no-store', async () => {
    const asset = await g.raw('GET', '/assets/shop.css?v=1');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    const page = await g.raw('GET', '/');
    assert.equal(page.headers['cache-control'], 'private, no-store');
    assert.equal(page.headers['content-security-policy'], "default-src 'self'");
    assert.equal(page.headers['x-cache'], undefined, 'never the response cache');
  });

  test('storefront routes - nothing else of the storefront is exposed, and /api keeps its 404 and 405', async () => {
    const before = g.seen.length;
    for (const path of [
      '/metrics',
      '/openapi.json',
      '/readyz-of-the-shop',
      '/wp-admin',
      '/api/v1/nothing',
      '/cartx',
    ]) {
      const response = await g.raw('GET', path);
      assert.equal(response.status, 404, path);
      assert.equal(response.headers['content-type']?.split(';')[0], 'application/problem+json', path);
    }
    assert.equal((await g.raw('DELETE', '/cart')).status, 405);
    assert.equal(
      (await g.raw('POST', '/api/v1/categories', { 'content-type': 'application/json' }, '{}')).status,
      405,
    );
    assert.equal((await g.raw('POST', '/p/x')).status, 405, 'product pages take no posts');
    assert.equal(g.seen.length, before, 'none reached an upstream');
  });

  test('storefront routes - signing in is limited as an account action per browser, browsing as browsing', async () => {
    const signIn = await g.raw(
      'POST',
      '/signin',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'a=1',
    );
    assert.equal(signIn.headers['ratelimit-limit'], '10');
    const page = await g.raw('GET', '/signin');
    assert.equal(page.headers['ratelimit-limit'], '120');
  });
});
