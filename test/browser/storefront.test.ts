// The shop in real Chromium, on one platform started as `npm start` starts it, at the
// gateway's `/`: a guest's whole journey by clicks and typing, a declined card and a
// sold-out line said in words, a product page with inventory down, an accessibility
// check of every page, the keyboard, a phone's width, and the screenshots the README shows.
//
// Shared with the load generator (tools/loadgen), which plays the same shopper through
// the JSON API: its mix (mixes/storefront.json) says which card each buying journey pays
// with and which order statuses it expects, and these tests read both from it; the words
// a shopper types are made by its rule (`searchPrefixes`: three letters of a product
// name's word), and the cards are its `CARDS`. The rest cannot be one description: the
// mix's shoppers are accounts signed in before the run, so it has no sign-up, no guest
// cart to merge and no cancel, and it buys a product set sold out through the API
// (accepted, then REJECTED), where the shop refuses the same line before anything is placed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { notifications } from '@platform/contracts';
import { CARDS, DEFAULT_MIX, type Journey, loadMix, searchPrefixes } from '@platform/loadgen';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { clearUpAfterSuite, type RunningPlatform, root, waitFor } from '../e2e/platform.ts';
import { openShop, type Shop } from '../e2e/shop.ts';
import {
  accessibilityViolations,
  chromiumMissing,
  focused,
  launchChromium,
  screenshot,
  VIEWPORT,
} from './browser.ts';

/** A phone held upright: the narrowest width the shop is laid out for. */
const PHONE = { width: 360, height: 740 };
const PASSWORD = 'correct horse battery staple';
const ADDRESS = { street: '1 Market St', city: 'San Francisco', postalCode: '94107' };

type Step = Journey['steps'][number];
type StepOf<K extends Step['do']> = Extract<Step, { do: K }>;
const mix = loadMix(DEFAULT_MIX);
/** The load generator's `kind` step of its journey `name`. */
function stepOf<K extends Step['do']>(name: string, kind: K): StepOf<K> {
  const step = mix.journeys
    .find((journey) => journey.name === name)
    ?.steps.find((each): each is StepOf<K> => each.do === kind);
  if (!step) throw new Error(`the load generator's journey "${name}" has no ${kind} step`);
  return step;
}
/** A journey's card as a person types it, in groups of four. */
const cardOf = (name: string) => CARDS[stepOf(name, 'checkout').card].replace(/(\d{4})(?=\d)/g, '$1 ');
const expectedOf = (name: string): string[] => stepOf(name, 'order-status').expect;

/** Tabs forward until the control named `name` has the focus; every control met must be drawn focused. */
async function tabTo(page: Page, name: string | RegExp, most = 60): Promise<void> {
  const matches = (text: string) => (typeof name === 'string' ? text === name : name.test(text));
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    assert.ok(now.ring, `${now.name} has the focus and is drawn focused (${page.url()})`);
    if (matches(now.name)) return;
  }
  assert.fail(`${name} not reached by Tab within ${most} presses on ${page.url()}`);
}

/** Main-frame navigations of `page` from now on: a live page must show its changes without one. */
function countLoads(page: Page): { count(): number; stop(): void } {
  let loads = 0;
  const counted = (frame: Frame) => {
    if (frame === page.mainFrame()) loads++;
  };
  page.on('framenavigated', counted);
  return { count: () => loads, stop: () => page.off('framenavigated', counted) };
}

/** The order page's status once it is one of `statuses` (the page's live section brings it). */
async function statusReaches(page: Page, statuses: string[], timeout = 60_000): Promise<string> {
  const any = statuses.map((status) => `#order-status[data-status="${status}"]`).join(', ');
  return (await page.locator(any).getAttribute('data-status', { timeout })) ?? '';
}

const missing = chromiumMissing();
if (missing) {
  test('storefront in Chromium', { skip: missing }, () => {});
} else {
  describe('storefront in Chromium', () => {
    const dataDir = join(root, '.test-data', `browser-shop-${randomUUID().slice(0, 8)}`);
    let platform: RunningPlatform;
    let shop: Shop;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    /** The journey's shopper, signed in, with the order they placed and cancelled. */
    let journey:
      | { page: Page; orderId: string; prefix: string; category: string; product: string }
      | undefined;

    /** A new visitor: a browser context of its own (its own cookies), on the shop. */
    async function visitor(viewport = VIEWPORT): Promise<Page> {
      const context = await browser.newContext({ viewport, baseURL: platform.state.gateway });
      contexts.push(context);
      return context.newPage();
    }

    /** Signs up through the form, as a person; lands on `next`. Returns the e-mail. */
    async function signUp(page: Page, next = '/'): Promise<string> {
      const email = `browser-${randomUUID().slice(0, 8)}@example.test`;
      await page.goto(`/register?next=${encodeURIComponent(next)}`);
      await page.getByLabel('Your name').pressSequentially('Ada');
      await page.getByLabel('E-mail').pressSequentially(email);
      await page.getByLabel('Password').pressSequentially(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Welcome! Your account is ready, and you are signed in.').waitFor();
      return email;
    }

    /** From the product's page, `quantity` of it into the cart; lands on the cart. */
    async function addToCart(page: Page, productId: string, quantity = 1): Promise<void> {
      await page.goto(`/p/${productId}`);
      await page.getByLabel('Quantity').selectOption(String(quantity));
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.getByText('Added to your cart.').waitFor();
    }

    /** Fills the checkout's address and card (the page is open) and places the order; lands on its page. */
    async function placeOrder(page: Page, cardNumber: string): Promise<string> {
      await page.getByLabel('Street address').fill(ADDRESS.street);
      await page.getByLabel('City', { exact: true }).fill(ADDRESS.city);
      await page.getByLabel('Postal code').fill(ADDRESS.postalCode);
      await page.getByLabel('Country').selectOption({ label: 'United States' });
      await page.getByLabel('Card number').pressSequentially(cardNumber);
      await page.getByLabel('Expiry date (MM/YY)').pressSequentially('12/35');
      await page.getByLabel('Security code').pressSequentially('123');
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
      return page.url().split('/').pop() ?? '';
    }

    before(async () => {
      ({ platform, shop } = await openShop(dataDir, {
        // The time to cancel a CONFIRMED order before its parcel leaves (10 s by default):
        // on a loaded 2-core machine the confirmation and the cancel each cross the bus.
        SHIPPING_STEP_MS: '30000',
        // A card network's few seconds (the simulator's default is 30 ms): the order's page
        // is on screen before the payment is authorised, so its steps are seen to arrive.
        PAYMENT_PROCESSOR_LATENCY_MS: '2000',
      }));
      browser = await launchChromium();
    });
    const clearUp = clearUpAfterSuite(dataDir, () => platform);
    after(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
      await platform?.stop();
      await clearUp();
    });

    test('storefront in Chromium - a guest browses, searches, fills a cart, signs up, checks out, follows the order live, cancels it and sees the refund', async () => {
      const page = await visitor();
      await page.goto('/');
      assert.equal(page.url(), `${platform.state.gateway}/`, 'the shop is at the gateway’s root');
      await page.getByRole('heading', { name: 'Welcome to the shop', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Cart, 0 items' }).waitFor();
      const featured = page.getByRole('list', { name: 'Featured products' }).getByRole('listitem');
      if ((await featured.count()) < 4) {
        // Seen three times in CI, never here: what the composed home page said, the
        // catalog's first page, and what the gateway counted of its calls to the catalog
        // (outcomes, retries and refusals by reason, the circuit's transitions).
        const home = await shop.call('GET', '/api/v1/storefront/home');
        const products = await shop.call('GET', '/api/v1/products?limit=3');
        const gateway = platform.state.services.find((service) => service.name === 'gateway');
        const counted = (await (await fetch(gateway?.metrics ?? '')).text())
          .split('\n')
          .filter((line) => line.startsWith('client_') && line.includes('upstream="catalog"'));
        assert.fail(
          `featured products: ${await featured.count()} shown; home ${home.status} ${JSON.stringify(home.body)}; products ${products.status} x-cache ${products.headers.get('x-cache')} ${JSON.stringify(products.body)}; the gateway's calls to the catalog: ${counted.join('; ')}`,
        );
      }
      assert.ok((await featured.getByText('In stock').count()) >= 4, 'with their stock');
      await screenshot(page, 'shop-home');

      // Browses: a category, then its first product.
      const categories = page.getByRole('region', { name: 'Shop by category' }).getByRole('link');
      const category = ((await categories.first().textContent()) ?? '').trim();
      await categories.first().click();
      await page.getByRole('heading', { name: category, level: 1 }).waitFor();
      const categoryPath = new URL(page.url()).pathname;
      const cards = page.getByRole('list', { name: category }).getByRole('link');
      const names = (await cards.allTextContents()).map((name) => name.trim());
      assert.ok(names.length >= 2, `${category} lists products`);
      const [first = '', second = ''] = names;
      await cards.first().click();
      await page.getByRole('heading', { name: first, level: 1 }).waitFor();
      assert.equal(await page.locator('#availability').textContent(), 'In stock');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.getByText('Added to your cart.').waitFor();
      await page.getByRole('link', { name: 'Cart, 1 item' }).waitFor();

      // Searches by the first letters of another product's name, as the load generator's
      // searchers do, and takes a product from the suggestions shown as it types.
      const prefix = searchPrefixes([second])[0] ?? second.slice(0, 3);
      const loads = countLoads(page);
      await page.getByRole('searchbox', { name: 'Search products' }).pressSequentially(prefix, { delay: 80 });
      const suggestions = page.getByRole('region', { name: 'Suggestions' }).getByRole('link');
      await suggestions.first().waitFor();
      loads.stop();
      assert.equal(loads.count(), 0, 'suggested as typed, without a page load');
      await screenshot(page, 'shop-suggestions');
      const offered = (await suggestions.allTextContents()).map((name) => name.trim());
      const chosen = offered.find((name) => name !== first && !name.startsWith('All '));
      assert.ok(chosen, `a suggestion for “${prefix}” other than ${first}: ${offered.join(', ')}`);
      await suggestions.getByText(chosen, { exact: true }).click();
      await page.getByRole('heading', { name: chosen, level: 1 }).waitFor();
      const product = page.url().split('/').pop() ?? '';
      await screenshot(page, 'shop-product');
      await page.getByLabel('Quantity').selectOption('2');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.getByRole('link', { name: 'Cart, 3 items' }).waitFor();
      const lines = page.getByRole('table', { name: 'The items in your cart' }).locator('tbody tr');
      assert.deepEqual((await lines.locator('th').allTextContents()).sort(), [first, chosen].sort());
      await screenshot(page, 'shop-cart');

      // Signs up from the cart, and finds the guest cart in the account.
      await page.getByRole('link', { name: 'or create an account' }).click();
      await page.waitForURL(/\/register\?next=\/checkout$/);
      const email = `guest-${randomUUID().slice(0, 8)}@example.test`;
      await page.getByLabel('Your name').pressSequentially('Ada');
      await page.getByLabel('E-mail').pressSequentially(email);
      await page.getByLabel('Password').pressSequentially(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL('**/checkout?done=registered');
      await page.getByText('Welcome! Your account is ready, and you are signed in.').waitFor();
      await page.getByRole('link', { name: 'Your account' }).waitFor();
      await page.getByRole('link', { name: 'Cart, 3 items' }).waitFor();
      const ordered = page.getByRole('table', { name: 'Your order' }).locator('tbody tr');
      assert.deepEqual(
        (await ordered.allInnerTexts()).map((row) => row.split('\t').slice(0, 2).join(' × ')).sort(),
        [`${first} × 1`, `${chosen} × 2`].sort(),
        'the guest cart, merged into the account',
      );
      assert.equal(await page.getByLabel('Full name').inputValue(), 'Ada', 'the name is filled in');
      await screenshot(page, 'shop-checkout');

      // Checks out with the card the load generator's buyers use.
      await page.getByLabel('Street address').fill(ADDRESS.street);
      await page.getByLabel('City', { exact: true }).fill(ADDRESS.city);
      await page.getByLabel('Postal code').fill(ADDRESS.postalCode);
      await page.getByLabel('Card number').pressSequentially(cardOf('buyer'));
      await page.getByLabel('Expiry date (MM/YY)').pressSequentially('12/35');
      await page.getByLabel('Security code').pressSequentially('123');
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
      const orderId = page.url().split('/').pop() ?? '';

      // The order's page follows the saga live: no reload until it is confirmed.
      const live = countLoads(page);
      const shown = await page.locator('#order-status').getAttribute('data-status');
      assert.notEqual(shown, 'CONFIRMED', 'the page came before the confirmation');
      await page.getByText('(this page follows it as it happens)').waitFor();
      const expected = expectedOf('buyer');
      assert.ok(expected.includes('CONFIRMED'));
      assert.equal(await statusReaches(page, ['CONFIRMED']), 'CONFIRMED');
      live.stop();
      assert.equal(live.count(), 0, 'brought up to date over the live stream, without a reload');
      await page.getByText(/^Charged \$[\d,.]+ to your visa card ending 4242\.$/).waitFor();
      const total = ((await page.locator('#order-total').textContent()) ?? '').trim();
      await screenshot(page, 'shop-order');

      // Cancels it, and sees the refund.
      await page.getByRole('button', { name: 'Cancel this order' }).click();
      await page.getByText('We are cancelling your order; this page follows it.').waitFor();
      await statusReaches(page, ['CANCELLED']);
      await page.getByText(`Refunded ${total} to your visa card ending 4242.`).waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('#order-outcome').textContent(), 'You cancelled this order.');
      await screenshot(page, 'shop-refund');
      const [payment] = await shop.paymentsSettle(orderId, (p) => p.status === 'REFUNDED');
      assert.equal(payment?.refunded, payment?.captured, 'refunded in full');

      // The confirmation reached the mailbox sink.
      const mail = await waitFor(
        'the order confirmation in the mailbox',
        async () => {
          const box = await shop.call<{ data: notifications.MailboxMessage[] }>(
            'GET',
            `/api/v1/admin/mailbox?to=${encodeURIComponent(email)}&limit=20`,
            { token: shop.adminToken },
          );
          return box.body.data.find((message) => message.subject.endsWith('is confirmed'));
        },
        60_000,
      );
      assert.deepEqual(mail.to, [email]);
      assert.ok(mail.text.includes(total), 'with the total');
      journey = { page, orderId, prefix, category: categoryPath, product };
    });

    test('storefront in Chromium - a declined card is said in words; nothing is charged or kept reserved', async () => {
      const productId = await shop.productWithStock(5, 100);
      const page = await visitor();
      await signUp(page);
      await addToCart(page, productId);
      await page.getByRole('link', { name: 'Check out' }).click();
      const orderId = await placeOrder(page, cardOf('declined-buyer'));
      await statusReaches(page, expectedOf('declined-buyer'));
      const outcome = (await page.locator('#order-outcome').textContent()) ?? '';
      assert.match(outcome, /^Your card was declined by its bank\. /);
      assert.match(outcome, /Nothing was charged, and the items went back on the shelf\./);
      await page.getByText(/^Nothing has been charged/).waitFor();
      await screenshot(page, 'shop-declined');
      const [payment] = await shop.paymentsSettle(orderId, (p) => p.status === 'DECLINED');
      assert.deepEqual([payment?.authorized, payment?.captured], [0, 0], 'nothing charged or held');
      const stock = await shop.unreserved(productId);
      assert.deepEqual([stock.onHand, stock.available], [5, 5], 'nothing kept reserved');
    });

    test('storefront in Chromium - a line the shelf cannot fill is said in words; nothing is placed, charged or reserved', async () => {
      const productId = await shop.productWithStock(2, 101);
      try {
        await soldOut(productId);
      } finally {
        // Back on the shelf for the tests after this one, whatever they pick.
        await shop.call('PUT', `/api/v1/inventory/${productId}`, {
          token: shop.adminToken,
          body: { onHand: 100 },
        });
      }
    });

    async function soldOut(productId: string): Promise<void> {
      const page = await visitor();
      await signUp(page);
      await addToCart(page, productId, 2);
      const name = ((await page.locator('tbody th').first().textContent()) ?? '').trim();
      // One more than the shelf holds (the product page offers no more than there is; the cart lets a person type it).
      await page.getByRole('spinbutton', { name: `Quantity of ${name}` }).fill('3');
      await page.getByRole('button', { name: `Update the quantity of ${name}` }).click();
      await page.getByText('Your cart is updated.').waitFor();
      await page.getByRole('link', { name: 'Check out' }).click();
      const alert = page.getByRole('alert');
      await alert
        .getByText('Some items cannot be ordered as they are. Nothing was charged or set aside.')
        .waitFor();
      await alert
        .getByText(`Only 2 of ${name} are left, and your cart has 3. Lower the quantity to check out.`)
        .waitFor();
      assert.ok(
        await page.getByRole('button', { name: 'Place order' }).isDisabled(),
        'the order cannot be placed',
      );
      await screenshot(page, 'shop-sold-out');

      // Sold out altogether meanwhile: the product page and the checkout say so.
      const set = await shop.call('PUT', `/api/v1/inventory/${productId}`, {
        token: shop.adminToken,
        body: { onHand: 0 },
      });
      assert.equal(set.status, 200);
      await page.reload();
      await alert.getByText(`${name} is sold out. Remove it from your cart to check out.`).waitFor();
      await page.goto(`/p/${productId}`);
      assert.equal(await page.locator('#availability').textContent(), 'Sold out');
      await page.getByText('Sold out: check back soon.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Add to cart' }).count(), 0);

      await page.getByRole('link', { name: 'Orders' }).click();
      await page.getByText('You have not ordered anything yet.').waitFor();
      const stock = await shop.stock(productId);
      assert.deepEqual([stock.onHand, stock.reserved], [0, 0], 'nothing reserved');
    }

    test('storefront in Chromium - with inventory down, a product page still shows, its availability unknown in words', async () => {
      // Every inventory process stopped (SIGSTOP, through the launcher's state file): it
      // accepts connections and never answers, for as long as it stays stopped. A kill
      // would be healed by the launcher within seconds; a fault rule leaves it answering.
      const stopped = platform.stateNow().services.filter((service) => service.name === 'inventory');
      assert.ok(stopped.length > 0);
      const productId = (
        await shop.call<{ data: Array<{ id: string }> }>('GET', '/api/v1/products?limit=1&page=103')
      ).body.data[0]?.id;
      const page = await visitor();
      try {
        for (const { pid } of stopped) process.kill(pid, 'SIGSTOP');
        await page.goto(`/p/${productId}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        assert.equal(await page.locator('#availability').textContent(), 'Availability unknown just now');
        await page.getByRole('status').getByText('Some of this page could not be loaded just now.').waitFor();
        await page.getByRole('button', { name: 'Add to cart' }).waitFor();
        await page
          .locator('.price.big')
          .getByText(/^\$[\d,.]+$/)
          .waitFor();
        await screenshot(page, 'shop-inventory-down');
      } finally {
        for (const { pid } of stopped) process.kill(pid, 'SIGCONT');
      }
      await waitFor(
        'inventory answering through the gateway again',
        async () => ((await shop.stock(productId ?? '')).onHand >= 0 ? true : undefined),
        60_000,
      );
      await page.reload();
      assert.equal(await page.locator('#availability').textContent(), 'In stock');
    });

    test('storefront in Chromium - every page passes axe-core with no serious or critical violation', async () => {
      assert.ok(journey, 'the journey’s shopper and order');
      const { orderId, prefix, category, product } = journey;
      const guest = await visitor();
      const shopper = journey.page;
      // A page held still: its live stream refused, so axe sees one rendering of it.
      await shopper.route('**/orders/*/live', (route) => route.abort());
      await addToCart(shopper, product);
      const pages: Array<[Page, string]> = [
        [guest, '/'],
        [guest, category],
        [guest, `/search?q=${prefix}`],
        [guest, `/p/${product}`],
        [guest, '/cart'],
        [guest, '/register'],
        [guest, '/signin'],
        [guest, '/c/no-such-category'],
        [shopper, '/cart'],
        [shopper, '/checkout'],
        [shopper, `/orders/${orderId}`],
        [shopper, '/orders'],
        [shopper, '/notifications'],
        [shopper, '/account'],
      ];
      const found: string[] = [];
      const check = async (page: Page, what: string) => {
        for (const violation of await accessibilityViolations(page)) found.push(`${what}: ${violation}`);
      };
      for (const [page, path] of pages) {
        await page.goto(path);
        await check(page, `${page === guest ? 'guest' : 'shopper'} ${path}`);
      }
      // The states a page gets into: suggestions open, a checkout with fields to correct.
      await guest.goto('/');
      await guest.getByRole('searchbox', { name: 'Search products' }).pressSequentially(prefix);
      await guest.getByRole('region', { name: 'Suggestions' }).getByRole('link').first().waitFor();
      await check(guest, 'suggestions open');
      await shopper.goto('/checkout');
      await shopper.getByRole('button', { name: 'Place order' }).click();
      await shopper.getByText('Enter the street address.').waitFor();
      await check(shopper, 'checkout with fields to correct');
      assert.deepEqual(found, [], found.join('\n'));
    });

    test('storefront in Chromium - keyboard: search, add, sign up, check out and reach the cancel, each control drawn focused', async () => {
      assert.ok(journey, 'the journey’s search prefix');
      const page = await visitor();
      await page.goto('/');
      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(page), { name: 'Skip to the content', ring: true });
      const skip = await page.getByRole('link', { name: 'Skip to the content' }).boundingBox();
      assert.ok(skip && skip.x >= 0 && skip.y >= 0, 'the skip link shows when it has the focus');

      // Type-ahead: typed, then the first suggestion reached by Tab and followed with Enter.
      await tabTo(page, 'q');
      await page.keyboard.type(journey.prefix, { delay: 60 });
      await page.getByRole('region', { name: 'Suggestions' }).getByRole('link').first().waitFor();
      await tabTo(page, 'Search');
      await page.keyboard.press('Tab');
      const suggestion = await focused(page);
      assert.ok(suggestion.ring, 'the suggestion is drawn focused');
      await page.keyboard.press('Enter');
      await page
        .getByRole('heading', { name: suggestion.name.split('\n')[0]?.trim() ?? '', level: 1 })
        .waitFor();

      await tabTo(page, 'quantity');
      await tabTo(page, 'Add to cart');
      await page.keyboard.press('Enter');
      await page.getByText('Added to your cart.').waitFor();

      await tabTo(page, 'or create an account');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/register\?next=\/checkout$/);
      await tabTo(page, 'name');
      await page.keyboard.type('Ada');
      await page.keyboard.press('Tab');
      await page.keyboard.type(`keys-${randomUUID().slice(0, 8)}@example.test`);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL('**/checkout?done=registered');

      // Each field found by its id (the name the form sends it under).
      const typed: Array<[string, string]> = [
        ['line1', ADDRESS.street],
        ['city', ADDRESS.city],
        ['postalCode', ADDRESS.postalCode],
        ['cardNumber', cardOf('buyer')],
        ['expiry', '12/35'],
        ['cvc', '123'],
      ];
      for (const [field, text] of typed) {
        await tabTo(page, field);
        await page.keyboard.type(text);
      }
      await tabTo(page, 'Place order');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);

      // The cancel button keeps the focus while the live section is sent again around it.
      await tabTo(page, 'Cancel this order');
      const was = await page.locator('#order-status').getAttribute('data-status');
      assert.notEqual(was, 'CONFIRMED', 'a step still to come');
      await page.locator(`#order-status:not([data-status="${was}"])`).waitFor({ timeout: 60_000 });
      assert.deepEqual(await focused(page), { name: 'Cancel this order', ring: true });
      await page.keyboard.press('Enter');
      await page.getByText('We are cancelling your order; this page follows it.').waitFor();
    });

    test('storefront in Chromium - at a phone’s width the home, product and cart pages do not scroll sideways', async () => {
      assert.ok(journey, 'the journey’s product');
      const page = await visitor(PHONE);
      await addToCart(page, journey.product, 2);
      const wide: string[] = [];
      for (const path of ['/', `/p/${journey.product}`, '/cart']) {
        await page.goto(path);
        const { scroll, width } = (await page.evaluate(
          '({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth })',
        )) as { scroll: number; width: number };
        if (scroll > width) wide.push(`${path}: ${scroll} px wide in ${width}`);
        if (path === '/') await screenshot(page, 'shop-phone-home');
        if (path === '/cart') await screenshot(page, 'shop-phone-cart');
      }
      assert.deepEqual(wide, [], wide.join('\n'));
    });
  });
}
