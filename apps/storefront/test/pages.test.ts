import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Shop, startShop } from './harness.ts';

describe('storefront browsing', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop('pages');
  });
  after(() => shop.close());

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${shop.url}${path}`, { headers });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };

  test('home, as the gateway composes it: categories, the featured shelf with its stock', async () => {
    shop.gateway.stock.set(shop.gateway.products[1]?.id ?? '', 3);
    shop.gateway.stock.set(shop.gateway.products[2]?.id ?? '', 0);
    const home = await get('/');
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(home.text, /<a href="\/c\/audio">Audio<\/a> <span class="muted">30 products<\/span>/);
    assert.match(home.text, /<ul class="grid" aria-label="Featured products">/);
    assert.match(
      home.text,
      /Studio Headphones 1<\/span><\/a>\s*<span class="price">\$11\.00<\/span><span class="stock in-stock">In stock/,
    );
    assert.match(home.text, /<span class="stock low">Only 3 left<\/span>/);
    assert.match(home.text, /<span class="stock out-of-stock">Sold out<\/span>/);
    assert.ok(
      shop.gateway.seen.some((call) => call.path === '/api/v1/storefront/home'),
      'asked the contract first',
    );
  });

  test('home and product pages say what a degraded answer marks: stale prices, availability unknown', async () => {
    shop.gateway.composedPages = 'stale';
    try {
      const home = await get('/');
      assert.match(home.text, /Prices shown may be out of date/);
      const id = shop.gateway.products[0]?.id;
      const product = await get(`/p/${id}`);
      assert.match(product.text, /<span class="stock unknown">Availability unknown just now<\/span>/);
      assert.match(product.text, /Some of this page could not be loaded just now/);
    } finally {
      shop.gateway.composedPages = 'fresh';
    }
  });

  test('a product page: picture, price, availability and the form to add it', async () => {
    const product = shop.gateway.products[3];
    assert.ok(product);
    shop.gateway.stock.set(product.id, 4);
    const page = await get(`/p/${product.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Studio Headphones 4<\/h1>/);
    assert.match(
      page.text,
      new RegExp(
        `<img src="/api/v1/products/${product.id}/image" alt="Studio Headphones 4" width="600" height="600">`,
      ),
    );
    assert.match(page.text, /<p class="price big">\$14\.00<\/p>/);
    assert.match(page.text, /Only 4 left/);
    assert.match(
      page.text,
      /<label for="quantity">Quantity<\/label>\s*<select id="quantity" name="quantity">(<option>\d<\/option>){4}<\/select>/,
    );
    assert.match(page.text, /You may also like/);
    shop.gateway.stock.set(product.id, 'fails');
    assert.match(
      (await get(`/p/${product.id}`)).text,
      /Availability unknown just now/,
      'inventory down: unknown, page still shown',
    );
    shop.gateway.stock.set(product.id, 0);
    const soldOut = await get(`/p/${product.id}`);
    assert.match(soldOut.text, /Sold out: check back soon/);
    assert.doesNotMatch(soldOut.text, /Add to cart/);
  });

  test('an unknown product or category is a page that says so, with status 404', async () => {
    for (const path of [
      '/p/00000000-0000-4000-8000-999999999999',
      '/p/not-a-uuid',
      '/c/garden',
      '/c/Not%20A%20Slug',
    ]) {
      const page = await get(path);
      assert.equal(page.status, 404, path);
      assert.match(page.text, /We could not find that page/);
    }
  });

  test('a category pages through its products, 24 a page', async () => {
    const first = await get('/c/audio');
    assert.match(first.text, /<h1>Audio<\/h1>/);
    assert.match(first.text, /30 products, 1 to 24 shown/);
    assert.match(first.text, /<a href="\/c\/audio\?page=2" rel="next">Next page<\/a>/);
    const second = await get('/c/audio?page=2');
    assert.match(second.text, /30 products, 25 to 30 shown/);
    assert.match(second.text, /rel="prev"/);
    assert.doesNotMatch(second.text, /rel="next"/);
    assert.match(
      (await get('/c/audio?page=abc')).text,
      /1 to 24 shown/,
      'a page that is not a number is the first',
    );
  });

  test('search: results with paging, and suggestions as the shopper types (a fragment)', async () => {
    const results = await get('/search?q=kett');
    assert.match(results.text, /<h1>Results for “kett”<\/h1>/);
    assert.match(results.text, /3 products\./);
    assert.match(results.text, /value="kett"/, 'the search box keeps the words');
    assert.match((await get('/search?q=nothing')).text, /No products match “nothing”/);
    const suggestions = await get('/search/suggest?q=stu');
    assert.doesNotMatch(suggestions.text, /<html/);
    assert.equal((suggestions.text.match(/<li>/g) ?? []).length, 6);
    assert.match(suggestions.text, /30 products match “stu”/);
    assert.match(suggestions.text, /<a href="\/search\?q=stu">All 30 results<\/a>/);
    assert.equal((await get('/search/suggest?q=')).text, '');
  });

  test('what the platform says is text, never markup', async () => {
    const product = shop.gateway.products[4];
    assert.ok(product);
    const name = product.name;
    product.name = '<script>alert(1)</script>';
    try {
      const page = await get(`/p/${product.id}`);
      assert.doesNotMatch(page.text, /<script>alert/);
      assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.doesNotMatch((await get('/search?q=%22%3E%3Cb%3E')).text, /"><b>/);
    } finally {
      product.name = name;
    }
  });

  // The trace context goes on through the chassis's HTTP client, which needs the telemetry
  // preload (packages/chassis/test/correlation.test.ts; end to end in test/e2e/storefront-checks.ts).
  test('a page’s calls to the gateway carry the correlation id the browser started', async () => {
    const from = shop.gateway.seen.length;
    await get('/search/suggest?q=cop', { 'x-correlation-id': 'web-click-1' });
    const call = shop.gateway.seen.slice(from).find((each) => each.path.startsWith('/api/v1/products?q=cop'));
    assert.ok(call);
    assert.equal(call.headers['x-correlation-id'], 'web-click-1');
  });

  test('an answer that breaks the storefront contract is trouble: a page that says so in words, with status 503', async () => {
    const products = shop.gateway.products.splice(0);
    const failing = shop.gateway.stock;
    try {
      shop.gateway.products.push({
        ...(products[0] as (typeof products)[0]),
        price: { amount: -1, currency: 'usd' },
      });
      const page = await get('/');
      assert.equal(page.status, 503);
      assert.match(page.text, /The shop cannot show this page just now/);
      assert.match(page.text, /Nothing you did caused this/);
    } finally {
      shop.gateway.products.splice(0, shop.gateway.products.length, ...products);
      shop.gateway.stock = failing;
    }
  });
});

describe('storefront as a service', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop('service');
  });
  after(() => shop.close());

  test('the pages are not an API: left out of its OpenAPI document, no answer counted as undocumented', async () => {
    const browser = shop.browser();
    await browser.get('/');
    await browser.post('/cart/items', { productId: shop.gateway.products[0]?.id ?? '', quantity: '1' });
    await browser.get('/nothing-here');
    const document = (await (await fetch(`${shop.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    assert.deepEqual(
      Object.keys(document.paths).filter((path) => !/^\/(healthz|readyz)$/.test(path)),
      [],
    );
    const metrics = await (await fetch(`${shop.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /^http_undocumented_responses_total\{/m);
    const ready = (await (await fetch(`${shop.url}/readyz`)).json()) as { checks: Record<string, string> };
    assert.deepEqual(ready.checks, { database: 'ok' });
  });
});

describe('storefront faults', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop('faults');
  });
  after(() => shop.close());

  test('an operator can break the shop on purpose for a while, as any service; a shopper cannot', async () => {
    const rule = { errorRate: 1, routes: ['/search'], ttlSeconds: 30 };
    const put = (token: string) =>
      fetch(`${shop.url}/admin/faults`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      });
    const asShopper = await put(await shop.issuer.token(['customer']));
    assert.equal(asShopper.status, 403);
    await asShopper.body?.cancel();
    const asAdmin = await put(await shop.issuer.token(['admin']));
    assert.equal(asAdmin.status, 200);
    await asAdmin.body?.cancel();
    const search = await fetch(`${shop.url}/search?q=kett`);
    assert.ok(search.status >= 500, `the fault answered ${search.status}`);
    await search.body?.cancel();
    const home = await fetch(`${shop.url}/`);
    assert.equal(home.status, 200, 'other pages unharmed');
    await home.body?.cancel();
  });
});
