import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testPool } from '@platform/testkit';
import { type Shop, startShop } from './harness.ts';
import { SERVICE_TOKEN } from './stand-in-gateway.ts';

const PASSWORD = 'correct horse battery staple';

describe('storefront sessions', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop('sessions');
  });
  after(() => shop.close());

  const signedInBrowser = async (email: string) => {
    shop.gateway.account(email, PASSWORD);
    const browser = shop.browser();
    await browser.get('/signin');
    const signedIn = await browser.post('/signin', { email, password: PASSWORD, next: '/' });
    assert.equal(signedIn.status, 303, signedIn.text);
    return browser;
  };

  test('a first visit gets an HttpOnly, SameSite=Lax session cookie, and no row until there is something to keep', async () => {
    const response = await fetch(`${shop.url}/`);
    const cookie = response.headers.getSetCookie()[0] ?? '';
    assert.match(
      cookie,
      /^shop_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/,
    );
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: no Secure');
    // Behind the gateway (a trusted proxy) reached over TLS: Secure.
    const behindTls = await fetch(`${shop.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(behindTls.headers.getSetCookie()[0] ?? '', /; Secure$/);
    await behindTls.text();
    await response.text();
    const pool = testPool(shop.database.url);
    try {
      assert.equal(
        (await pool.query('SELECT count(*)::int AS n FROM sessions')).rows[0].n,
        0,
        'browsing keeps nothing',
      );
    } finally {
      await pool.end();
    }
  });

  test('signing in keeps the tokens out of the browser: a new opaque id, the tokens sealed in the row', async () => {
    const browser = shop.browser();
    await browser.get('/');
    const before = browser.cookies.get('shop_session');
    const email = 'sealed@example.test';
    shop.gateway.account(email, PASSWORD);
    await browser.get('/signin');
    const signedIn = await browser.post('/signin', { email, password: PASSWORD, next: '/cart' });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, '/cart?done=signed-in');
    const after = browser.cookies.get('shop_session') ?? '';
    assert.notEqual(after, before, 'a new session id at sign-in (no fixation)');
    const { accessToken, refreshToken } = shop.gateway.issued.at(-1) ?? { accessToken: '', refreshToken: '' };
    assert.ok(!signedIn.headers.get('set-cookie')?.includes(accessToken));
    const page = await browser.get('/');
    assert.ok(!page.text.includes(accessToken) && !page.text.includes(refreshToken), 'no token in the page');
    assert.match(page.text, /<a href="\/account">Ada<span class="visually-hidden">, your account<\/span>/);
    const pool = testPool(shop.database.url);
    try {
      const rows = (await pool.query('SELECT key, sealed_tokens FROM sessions')).rows as Array<
        Record<string, string>
      >;
      assert.ok(
        rows.every((row) => row.key !== after),
        'the row is not keyed by the id itself',
      );
      assert.ok(
        rows.every((row) => !row.sealed_tokens?.includes(refreshToken)),
        'sealed, not stored as they are',
      );
    } finally {
      await pool.end();
    }
  });

  test('an access token about to expire is renewed, and the new refresh token is the one used next (rotation)', async () => {
    shop.gateway.accessSeconds = 1;
    const browser = await signedInBrowser('rotation@example.test');
    const [calls, reuses] = [shop.gateway.refreshCalls, shop.gateway.reusesDetected];
    for (let i = 0; i < 3; i++) assert.match((await browser.get('/account')).text, /rotation@example\.test/);
    assert.equal(shop.gateway.refreshCalls - calls, 3, 'renewed on each visit: every token lasts 1 s');
    assert.equal(shop.gateway.reusesDetected, reuses, 'never a spent refresh token');
    shop.gateway.accessSeconds = 900;
  });

  test('pages of one session loading at once renew once: the second finds the first one’s tokens', async () => {
    shop.gateway.accessSeconds = 1;
    const browser = await signedInBrowser('together@example.test');
    shop.gateway.accessSeconds = 900;
    const [calls, reuses] = [shop.gateway.refreshCalls, shop.gateway.reusesDetected];
    const pages = await Promise.all(Array.from({ length: 5 }, () => browser.get('/account')));
    assert.ok(pages.every((page) => page.status === 200 && /together@example\.test/.test(page.text)));
    assert.equal(shop.gateway.refreshCalls - calls, 1);
    assert.equal(shop.gateway.reusesDetected, reuses);
  });

  test('a refresh token used by someone else ends the session: identity revokes the family, the shopper signs in again', async () => {
    shop.gateway.accessSeconds = 1;
    const browser = await signedInBrowser('stolen@example.test');
    shop.gateway.accessSeconds = 900;
    // A thief trades the shopper's refresh token first.
    const stolen = shop.gateway.issued.at(-1)?.refreshToken;
    const theft = await fetch(`${shop.gateway.url}/api/v1/auth/refresh`, {
      method: 'POST',
      body: JSON.stringify({ refreshToken: stolen }),
    });
    const thief = (await theft.json()) as { accessToken: string };
    assert.equal(theft.status, 200);
    const page = await browser.get('/');
    assert.equal(
      shop.gateway.reusesDetected,
      1,
      'the storefront presented the spent token: identity saw the reuse',
    );
    assert.match(page.text, /Your sign-in has ended: please sign in again/);
    assert.match(page.text, /href="\/signin">Sign in</, 'signed out');
    const account = await browser.get('/account');
    assert.equal(account.status, 303);
    assert.match(account.location, /^\/signin\?next=/);
    const asThief = await fetch(`${shop.gateway.url}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${thief.accessToken}` },
    });
    assert.equal(asThief.status, 401, "the thief's tokens went with the family");
  });

  test('signing out revokes the refresh token at identity and forgets the session', async () => {
    const browser = await signedInBrowser('leaving@example.test');
    const old = browser.cookies.get('shop_session') ?? '';
    await browser.get('/');
    const out = await browser.post('/signout');
    assert.equal(out.status, 303);
    assert.equal(out.location, '/?done=signed-out');
    assert.ok(shop.gateway.seen.some((call) => call.path === '/api/v1/auth/logout'));
    assert.notEqual(browser.cookies.get('shop_session'), old);
    const replayed = await fetch(`${shop.url}/account`, {
      headers: { cookie: `shop_session=${old}` },
      redirect: 'manual',
    });
    assert.equal(replayed.status, 303, 'the old cookie opens nothing');
  });

  test('a signed-in session survives a restart of the storefront', async () => {
    const browser = await signedInBrowser('restart@example.test');
    await shop.restart();
    assert.match((await browser.get('/account')).text, /restart@example\.test/);
  });

  test('a sign-in the platform no longer takes asks the shopper to sign in again, and comes back to the page', async () => {
    const browser = await signedInBrowser('revoked@example.test');
    // Signed out elsewhere (another device): identity revokes the whole family.
    const tokens = shop.gateway.issued.at(-1);
    await fetch(`${shop.gateway.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: tokens?.refreshToken }),
    });
    const account = await browser.get('/account');
    assert.equal(account.status, 303, 'not "the shop cannot show this page"');
    assert.equal(account.location, '/signin?next=%2Faccount&done=sign-in-again');
    const signIn = await browser.get(account.location);
    assert.match(
      signIn.text,
      /class="notice info" role="status">Your sign-in has ended: please sign in again/,
    );
    assert.doesNotMatch((await browser.get('/')).text, /Sign out/, 'the shop forgot the refused tokens');
  });

  test('a wrong password is said in words, and nothing is kept', async () => {
    shop.gateway.account('typo@example.test', PASSWORD);
    const browser = shop.browser();
    await browser.get('/signin');
    const wrong = await browser.post('/signin', {
      email: 'typo@example.test',
      password: 'not it',
      next: '/',
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /That e-mail and password do not match an account/);
    assert.match(wrong.text, /value="typo@example\.test"/, 'the e-mail stays filled in');
  });
});

describe('storefront csrf', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop('csrf');
  });
  after(() => shop.close());

  const product = () => shop.gateway.products[0]?.id ?? '';
  const cartPosts = () =>
    shop.gateway.seen.filter((call) => call.method === 'POST' && call.path === '/api/v1/cart/items');

  test('a form posted from another site is refused, even with the session cookie and its token', async () => {
    const browser = shop.browser();
    await browser.get(`/p/${product()}`);
    const refused = await browser.post(
      '/cart/items',
      { productId: product(), quantity: '1' },
      { origin: 'http://evil.example' },
    );
    assert.equal(refused.status, 403);
    assert.match(refused.text, /not sent from this shop/);
    assert.equal(cartPosts().length, 0, 'nothing reached the cart');
  });

  test("a form without this session's token is refused", async () => {
    const browser = shop.browser();
    await browser.get(`/p/${product()}`);
    const other = shop.browser();
    await other.get(`/p/${product()}`);
    browser.formToken = other.formToken;
    assert.equal((await browser.post('/cart/items', { productId: product(), quantity: '1' })).status, 403);
    browser.formToken = '';
    assert.equal((await browser.post('/cart/items', { productId: product(), quantity: '1' })).status, 403);
    assert.equal(cartPosts().length, 0);
  });

  test('a form from the shop’s own page is taken: by its Origin, or by Sec-Fetch-Site when there is none', async () => {
    const browser = shop.browser();
    await browser.get(`/p/${product()}`);
    const added = await browser.post('/cart/items', { productId: product(), quantity: '2' });
    assert.equal(added.status, 303);
    assert.equal(added.location, '/cart?done=added');
    const noOrigin = await browser.post(
      '/cart/items',
      { productId: product(), quantity: '1' },
      { origin: '', 'sec-fetch-site': 'same-origin' },
    );
    assert.equal(noOrigin.status, 303);
    assert.match((await browser.get('/cart')).text, /Cart, 3 items/);
  });

  test("every call names the shopper's address with the storefront's service token, so the gateway limits shoppers, not the shop", async () => {
    const shopperCalls = (address: string) =>
      shop.gateway.seen.filter((call) => call.headers['x-service-for'] === address);
    const guest = shop.browser();
    await guest.get('/', { 'x-forwarded-for': '198.51.100.7' });
    await guest.get('/search?q=stu', { 'x-forwarded-for': '198.51.100.7' });
    const email = 'addressed@example.test';
    shop.gateway.account(email, PASSWORD);
    const other = shop.browser();
    await other.get('/signin', { 'x-forwarded-for': '2001:db8::9' });
    await other.post(
      '/signin',
      { email, password: PASSWORD, next: '/' },
      { 'x-forwarded-for': '2001:db8::9' },
    );
    const first = shopperCalls('198.51.100.7');
    assert.ok(
      first.some((call) => call.path.startsWith('/api/v1/products?q=stu')),
      'the search is counted as the guest',
    );
    assert.ok(
      shopperCalls('2001:db8::9').some((call) => call.path === '/api/v1/auth/login'),
      "the sign-in is throttled by the shopper's address",
    );
    for (const call of [...first, ...shopperCalls('2001:db8::9')])
      assert.equal(call.headers['x-service-token'], SERVICE_TOKEN, `${call.path} carries the proof`);
  });
});
