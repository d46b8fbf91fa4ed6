// Every page of the shop, rendered as a shopper gets it: within the page weight budget of
// decision 029 (the HTML, its one stylesheet and its one script: 60 KB before pictures;
// the stylesheet at most 12 KB, the script at most 4 KB), and marked up so that every
// control has a label, every picture a text alternative, and each page one heading, a
// language, a way past the header and its landmarks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Shop, startShop } from './harness.ts';

const KB = 1024;
const BUDGET = { page: 60 * KB, css: 12 * KB, js: 4 * KB };

describe('storefront pages: weight and markup', () => {
  let shop: Shop;
  let browser: Browser;
  const pages = new Map<string, string>();

  before(async () => {
    shop = await startShop('weight');
    const [product] = shop.gateway.products;
    assert.ok(product);
    browser = shop.browser();
    for (const path of [
      '/',
      '/c/audio',
      '/search?q=stu',
      `/p/${product.id}`,
      '/cart',
      '/signin',
      '/register',
    ])
      pages.set(path, (await browser.get(path)).text);
    await browser.post('/register', {
      name: 'Ada',
      email: 'weight@example.test',
      password: 'correct horse battery staple',
    });
    await browser.get(`/p/${product.id}`);
    await browser.post('/cart/items', { productId: product.id, quantity: '2' });
    for (const path of ['/cart', '/checkout'])
      pages.set(`${path} (signed in)`, (await browser.get(path)).text);
    const placed = await browser.post('/checkout', {
      name: 'Ada',
      line1: '1 Main St',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
      cardNumber: '4242424242424242',
      expiry: '12/35',
      cvc: '123',
    });
    for (const path of [placed.location, '/orders', '/notifications', '/account'])
      pages.set(path, (await browser.get(path)).text);
    pages.set('a page not found', (await browser.get('/p/00000000-0000-4000-8000-999999999999')).text);
  });
  after(() => shop.close());

  const assetSize = async (html: string, pattern: RegExp) => {
    const url = pattern.exec(html)?.[1];
    assert.ok(url, `the page names its ${pattern}`);
    return (await (await fetch(`${shop.url}${url.replaceAll('&amp;', '&')}`)).arrayBuffer()).byteLength;
  };

  test('each page, with its stylesheet and script, is within 60 KB before pictures', async (t) => {
    assert.equal(pages.size, 14);
    let heaviest = { path: '', total: 0 };
    for (const [path, html] of pages) {
      const css = await assetSize(html, /<link rel="stylesheet" href="([^"]+)">/);
      const js = await assetSize(html, /<script src="([^"]+)" defer><\/script>/);
      const total = Buffer.byteLength(html) + css + js;
      assert.ok(css <= BUDGET.css, `stylesheet ${css} B`);
      assert.ok(js <= BUDGET.js, `script ${js} B`);
      assert.ok(total <= BUDGET.page, `${path}: ${total} B`);
      if (total > heaviest.total) heaviest = { path, total };
      assert.equal((html.match(/<link rel="stylesheet"/g) ?? []).length, 1, `${path}: one stylesheet`);
      assert.equal((html.match(/<script/g) ?? []).length, 1, `${path}: one script`);
    }
    t.diagnostic(`heaviest: ${heaviest.path}, ${(heaviest.total / KB).toFixed(1)} KB with its assets`);
  });

  test('assets are kept by the browser for a year when asked for by version, and checked otherwise', async () => {
    const html = pages.get('/') ?? '';
    const url = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1] ?? '';
    const versioned = await fetch(`${shop.url}${url}`);
    assert.equal(versioned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(versioned.headers.get('content-type'), 'text/css; charset=utf-8');
    const plain = await fetch(`${shop.url}${url.split('?')[0]}`);
    assert.equal(plain.headers.get('cache-control'), 'no-cache');
    await Promise.all([versioned.text(), plain.text()]);
  });

  test('every control has a label, every picture a text alternative, every page its landmarks and one heading', () => {
    for (const [path, html] of pages) {
      assert.match(html, /^<!doctype html>\n<html lang="en">/, path);
      assert.match(html, /<a class="skip" href="#main">/, path);
      assert.match(
        html,
        /<header class="top">[\s\S]*<nav aria-label="Your shop">[\s\S]*<main id="main"[\s\S]*<footer>/,
        path,
      );
      assert.match(html, /<form class="search" role="search"/, path);
      assert.equal((html.match(/<h1>/g) ?? []).length, 1, `${path}: one h1`);
      assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/, path);
      const controls = [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)].filter(
        ([, , attributes]) => !/type="hidden"/.test(attributes ?? ''),
      );
      for (const [control, , attributes] of controls) {
        const id = /\bid="([^"]+)"/.exec(attributes ?? '')?.[1];
        assert.ok(id, `${path}: ${control} has an id`);
        assert.match(html, new RegExp(`<label for="${id}"`), `${path}: ${control} has a label`);
      }
      for (const [image] of html.matchAll(/<img\b[^>]*>/g))
        assert.match(image, /\balt="/, `${path}: ${image}`);
      for (const [, text] of html.matchAll(/<button\b[^>]*>([^<]*)<\/button>/g))
        assert.ok(text?.trim(), `${path}: every button says what it does`);
    }
  });
});
