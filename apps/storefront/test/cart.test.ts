import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Shop, startShop } from './harness.ts';

const PASSWORD = 'correct horse battery staple';

describe('storefront cart', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop('cart');
  });
  after(() => shop.close());

  const productId = (n: number) => shop.gateway.products[n]?.id ?? '';
  const add = async (browser: Browser, n: number, quantity: number) => {
    await browser.get(`/p/${productId(n)}`);
    const added = await browser.post('/cart/items', { productId: productId(n), quantity: String(quantity) });
    assert.equal(added.status, 303, added.text);
  };
  const guestCarts = () => [...shop.gateway.carts.keys()].filter((owner) => owner.startsWith('guest:'));

  test("a guest's cart survives a reload and a restart of the storefront", async () => {
    const browser = shop.browser();
    await add(browser, 0, 2);
    const cart = await browser.get('/cart');
    assert.match(cart.text, /Studio Headphones 1/);
    assert.match(cart.text, /aria-label="Cart, 2 items"/);
    await shop.restart();
    const again = await browser.get('/cart');
    assert.match(again.text, /Studio Headphones 1/, 'the guest cart id is kept in the session row');
    assert.match(again.text, /Sign in to check out/);
  });

  test('quantities change and lines are removed', async () => {
    const browser = shop.browser();
    await add(browser, 1, 1);
    await add(browser, 2, 1);
    await browser.get('/cart');
    const changed = await browser.post(`/cart/items/${productId(1)}`, { quantity: '4' });
    assert.equal(changed.location, '/cart?done=updated');
    const removed = await browser.post(`/cart/items/${productId(2)}/remove`);
    assert.equal(removed.location, '/cart?done=removed');
    const cart = await browser.get('/cart?done=removed');
    assert.match(cart.text, /Removed from your cart/);
    assert.match(
      cart.text,
      /id="qty-[^"]+" name="quantity" type="number" inputmode="numeric" min="1" max="99" value="4"/,
    );
    assert.doesNotMatch(cart.text, /Studio Headphones 3/);
    const wrong = await browser.post(`/cart/items/${productId(1)}`, { quantity: '0' });
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /Choose a quantity from 1 to 99/);
  });

  test("a guest cart merges into the account's cart at sign-in, once", async () => {
    const email = 'merge@example.test';
    const userId = shop.gateway.account(email, PASSWORD);
    shop.gateway.carts.set(`user:${userId}`, new Map([[productId(5), 1]]));
    const browser = shop.browser();
    await add(browser, 6, 2);
    const guests = guestCarts().length;
    await browser.get('/signin');
    const from = shop.gateway.seen.length;
    const signedIn = await browser.post('/signin', { email, password: PASSWORD, next: '/cart' });
    assert.equal(signedIn.status, 303);
    assert.equal(guestCarts().length, guests - 1, 'the guest cart joined the account');
    const cart = await browser.get('/cart');
    assert.match(cart.text, /Studio Headphones 6/);
    assert.match(cart.text, /Studio Headphones 7/);
    assert.match(cart.text, /aria-label="Cart, 3 items"/);
    const calls = shop.gateway.seen.slice(from).filter((call) => call.path === '/api/v1/cart');
    assert.equal(calls.filter((call) => call.headers['x-guest-id'] !== undefined).length, 1, 'merged once');
    assert.ok(calls.length >= 2);
  });

  test("a guest cart merges into the new account's cart at sign-up", async () => {
    const browser = shop.browser();
    await add(browser, 7, 1);
    await browser.get('/register');
    const weak = await browser.post('/register', {
      name: 'Grace',
      email: 'grace@example.test',
      password: 'short',
      next: '/',
    });
    assert.equal(weak.status, 422);
    assert.match(weak.text, /Choose another password: it must be at least 10 characters/);
    const registered = await browser.post('/register', {
      name: 'Grace',
      email: 'grace@example.test',
      password: PASSWORD,
      next: '/checkout',
    });
    assert.equal(registered.location, '/checkout?done=registered');
    const cart = await browser.get('/cart');
    assert.match(cart.text, /Studio Headphones 8/);
    assert.match(cart.text, /href="\/checkout">Check out</);
    assert.match(cart.text, /<a href="\/account">Grace<span class="visually-hidden">, your account<\/span>/);
  });
});
