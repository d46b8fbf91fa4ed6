// The operations console in real Chromium, on one platform started as `npm start`
// starts it: what an operator sees and does, page by page, an accessibility check of
// every page, and the screenshots the README shows.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEnvelope, createLogger, createPostgresDriver } from '@platform/chassis';
import { freePort } from '@platform/testkit';
import type { Browser, BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { clearUpAfterSuite, type RunningPlatform, root, waitFor } from '../e2e/platform.ts';
import { address, card, openShop, type Shop } from '../e2e/shop.ts';
import {
  accessibilityViolations,
  chromiumMissing,
  focused,
  launchChromium,
  screenshot,
  VIEWPORT,
} from './browser.ts';

const ADMIN = 'admin@platform.local';
/** How often the console sends a live page again (its CONSOLE_REFRESH_MS default). */
const REFRESH_MS = 2_000;

/** The table row whose header cell reads exactly `name`. */
const rowOf = (page: Page, name: string | RegExp): Locator =>
  page.locator('tr', {
    has: page.locator('th', { hasText: typeof name === 'string' ? new RegExp(`^${name}$`) : name }),
  });
/** Follows the navigation's link to a page, as a person does. */
const goTo = (page: Page, title: string) =>
  page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: title }).click();
const cellsOf = async (row: Locator) => (await row.locator('td').allTextContents()).map((t) => t.trim());

const missing = chromiumMissing();
if (missing) {
  test('console in Chromium', { skip: missing }, () => {});
} else {
  describe('console in Chromium', () => {
    const dataDir = join(root, '.test-data', `browser-console-${randomUUID().slice(0, 8)}`);
    let platform: RunningPlatform;
    let shop: Shop;
    let secrets: Record<string, string>;
    let pgPort: number;
    let consoleUrl: string;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let charts: Page;

    before(async () => {
      pgPort = await freePort();
      ({ platform, shop } = await openShop(dataDir, { PLATFORM_PG_PORT: String(pgPort) }));
      secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
      consoleUrl = platform.state.services.find((s) => s.name === 'console')?.url ?? '';
      browser = await launchChromium();
      context = await browser.newContext({ viewport: VIEWPORT, baseURL: consoleUrl });
      page = await context.newPage();
      await page.goto('/resources');
      assert.match(page.url(), /\/login$/, 'nothing without signing in');
      await page.getByLabel('E-mail').fill(ADMIN);
      await page.getByLabel('Password').fill(secrets['admin-password'] ?? '');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/resources');
      // The Metrics page open all along, as an operator's second tab: the console scrapes
      // while it is looked at, so its charts have a history by the time they are checked.
      charts = await context.newPage();
      await charts.goto('/charts');
    });
    const clearUp = clearUpAfterSuite(dataDir, () => platform);
    after(async () => {
      await browser?.close();
      await platform?.stop();
      await clearUp();
    });

    test('console in Chromium - resources: every instance ready', async () => {
      const count = platform.state.services.length;
      await page.getByText(`${count} of ${count} instances ready`).waitFor({ timeout: 30_000 });
      for (const { instance } of platform.state.services)
        assert.equal((await cellsOf(rowOf(page, instance)))[1], 'ready', instance);
      await screenshot(page, 'console-resources', page.getByRole('heading', { name: 'Instances' }));
    });

    test('console in Chromium - kill -9 from the console: the row shows it restarted, live', async () => {
      await page.goto('/resources');
      const row = rowOf(page, 'cart-1');
      const pidBefore = (await cellsOf(row))[2];
      await page.getByRole('button', { name: 'kill -9 cart-1' }).click();
      await page.getByRole('status').getByText('kill -9 sent to cart-1').waitFor();
      // From here on the page is not loaded again: only its live section changes.
      let loads = 0;
      const counted = (frame: Frame) => {
        if (frame === page.mainFrame()) loads++;
      };
      page.on('framenavigated', counted);
      const healed = await waitFor(
        'cart-1 ready again, with a new pid and one restart',
        async () => {
          const cells = await cellsOf(row);
          return cells[1] === 'ready' && cells[2] !== pidBefore && cells[6] === '1' ? cells : undefined;
        },
        30_000,
      );
      page.off('framenavigated', counted);
      assert.equal(loads, 0, 'brought up to date over the live stream, without a reload');
      assert.notEqual(healed[2], pidBefore);
    });

    /** The checkout's order and trace, also checked for accessibility at the end. */
    let orderId = '';
    let traceId = '';
    test('console in Chromium - a checkout is one trace across five services and the bus, with its logs', async () => {
      const shopper = await shop.shopper();
      const productId = await shop.productWithStock(5);
      const placed = await shop.place(shopper, {
        items: [{ productId, quantity: 1 }],
        shippingAddress: address(),
        payment: card(),
      });
      assert.equal(placed.status, 202, JSON.stringify(placed.body));
      orderId = placed.body.id;
      await shop.settled(shopper, orderId, ['CONFIRMED', 'SHIPPED', 'DELIVERED']);

      await goTo(page, 'Sagas');
      await page.getByRole('link', { name: orderId.slice(0, 8) }).click();
      await page.waitForURL(`**/sagas/${orderId}`);
      // The order's page lists its traces (live); the checkout's reaches five services.
      const wide = await waitFor(
        "a trace of the order across five services, on the order's page",
        async () => {
          for (const item of await page.locator('main li').all()) {
            const across = /spans across ([a-z, -]+)/.exec((await item.textContent()) ?? '')?.[1];
            if (across && across.split(', ').length >= 5) return item;
          }
          return undefined;
        },
        30_000,
      );
      await screenshot(page, 'console-sagas');
      await wide.getByRole('link').first().click();
      await page.waitForURL(/\/traces\/[0-9a-f]{32}$/);
      traceId = page.url().split('/').pop() ?? '';
      const summary = page.locator('p.summary');
      const services = Number(/spans across (\d+) services/.exec((await summary.textContent()) ?? '')?.[1]);
      assert.ok(services >= 5, `${services} services`);
      const waterfall = page.getByRole('table', { name: /Each span under its parent/ });
      assert.ok(
        await waterfall.getByRole('cell', { name: 'bus', exact: true }).count(),
        'a hop over the bus',
      );
      assert.ok(await waterfall.getByRole('link', { name: /POST \/api\/v1\/orders/ }).count());
      await screenshot(page, 'console-traces');

      await page.getByRole('link', { name: 'Logs of this trace' }).click();
      await page.waitForURL(`**/logs?traceId=${traceId}`);
      const lines = page.getByRole('table', { name: /Newest first/ }).getByRole('row');
      await waitFor(
        "the order service's log lines of the trace",
        async () => ((await lines.filter({ hasText: 'order-1' }).count()) > 0 ? true : undefined),
        15_000,
      );
      await screenshot(page, 'console-logs');
      await lines
        .getByRole('link', { name: traceId.slice(0, 8), exact: true })
        .first()
        .click();
      await page.waitForURL(`**/traces/${traceId}`);
      await page.getByText(/spans across \d+ services/).waitFor();
    });

    test('console in Chromium - a fault injected from the console opens the breaker and shows on the topology', async () => {
      const lift = () => shop.call('DELETE', '/api/v1/admin/faults/catalog', { token: shop.adminToken });
      try {
        await page.goto('/faults');
        const row = rowOf(page, 'catalog');
        await row.getByLabel('Error rate').fill('1');
        // At a person's pace: the live table is sent again meanwhile, and what is typed stays.
        await page.waitForTimeout(REFRESH_MS * 1.5);
        assert.equal(await row.getByLabel('Error rate').inputValue(), '1');
        await row.getByLabel('For s').fill('30');
        await row.getByRole('button', { name: 'Inject into catalog' }).click();
        await page.getByRole('status').getByText('Fault injected into catalog').waitFor();
        await rowOf(page, 'catalog').getByText('"errorRate":1').waitFor();

        // Watched from the Resilience page: uncached reads through the gateway, until its
        // circuit to the catalog opens. (Not from the Faults page, whose refreshes read
        // every service's rule through the gateway and use up its sampling of new traces.)
        await goTo(page, 'Resilience');
        for (let i = 0; i < 20; i++)
          await fetch(`${platform.state.gateway}/api/v1/products?q=lamp${i}`).then((r) => r.text());
        await waitFor(
          "the gateway's breaker to the catalog open",
          async () => ((await cellsOf(rowOf(page, 'catalog')))[0]?.startsWith('open') ? true : undefined),
          15_000,
        );
        await screenshot(page, 'console-resilience');

        await goTo(page, 'Topology');
        await page.getByText('catalog degraded (fault)').waitFor({ timeout: 15_000 });
        await page.locator('svg.topology text', { hasText: /^catalog .*FAULT/ }).waitFor();
        await screenshot(page, 'console-topology');

        await goTo(page, 'Faults');
        await rowOf(page, 'catalog').getByRole('button', { name: 'Lift' }).click();
        await page.getByRole('status').getByText('Fault lifted from catalog').waitFor();
      } finally {
        await lift();
      }
      await waitFor(
        'the catalog served again through the gateway',
        async () => ((await fetch(`${platform.state.gateway}/api/v1/products?q=calm`)).ok ? true : undefined),
        30_000,
      );
    });

    test('console in Chromium - a dead letter is listed on the bus page and replayed from it', async () => {
      // An event that breaks its contract, published on the platform's own bus: the
      // cart's consumer of catalog prices gives up on it at once.
      const driver = createPostgresDriver({
        url: `postgres://bus:${encodeURIComponent(secrets['db-bus'] ?? '')}@127.0.0.1:${pgPort}/bus`,
        log: createLogger({ service: 'browser-test', instance: 'browser-test', level: 'silent' }),
      });
      try {
        await driver.publish([
          createEnvelope('browser-test', {
            type: 'catalog.product.price-changed',
            subject: 'no-such-product',
            data: { productId: 'no-such-product', price: 'free' },
          }),
        ]);
      } finally {
        await driver.close();
      }
      await page.goto('/bus');
      const letter = page
        .getByRole('table', { name: /Events whose handler kept failing/ })
        .locator('tbody tr', { hasText: 'catalog.product.price-changed' });
      await letter.waitFor({ timeout: 15_000 });
      const name = ((await letter.locator('th').textContent()) ?? '').trim();
      assert.match(name, /^cart #\d+$/);
      assert.equal((await cellsOf(letter))[0], 'cart-catalog');
      const id = name.slice('cart #'.length);
      await letter.getByRole('button', { name: `Replay dead letter ${id} of cart` }).click();
      // Replayed, and refused again by the contract it breaks: the notice says so, and why.
      const notice = (await page.getByRole('status').textContent()) ?? '';
      assert.match(notice, new RegExp(`Dead letter ${id} of cart replayed, and it failed again: `));
      assert.match(notice, /breaks the catalog\.product\.price-changed contract/);
      assert.match(notice, /It stays a dead letter/);
      await rowOf(page, `cart #${id}`).waitFor();
      await screenshot(page, 'console-bus', page.getByRole('heading', { name: 'Dead letters' }));
    });

    test('console in Chromium - keyboard: sign in, reach an action, and keep the focus while the page updates', async () => {
      const visitor = await browser.newContext({ viewport: VIEWPORT, baseURL: consoleUrl });
      try {
        const own = await visitor.newPage();
        const focus = () => focused(own);
        await own.goto('/login');
        const typed: Record<string, string> = { email: ADMIN, password: secrets['admin-password'] ?? '' };
        const order: string[] = [];
        for (let i = 0; i < 5; i++) {
          await own.keyboard.press('Tab');
          const now = await focus();
          assert.ok(now.ring, `${now.name} is drawn focused`);
          order.push(now.name);
          if (typed[now.name]) await own.keyboard.type(typed[now.name] ?? '');
        }
        assert.deepEqual(order, ['Skip to the page', 'Platform console', 'email', 'password', 'Sign in']);
        await own.keyboard.press('Enter');
        await own.waitForURL('**/resources');

        // Tab through the page to an instance's kill button (and do not press it).
        for (let i = 0; i < 200 && (await focus()).name !== 'kill -9 cart-1'; i++)
          await own.keyboard.press('Tab');
        assert.equal((await focus()).name, 'kill -9 cart-1');
        await own.waitForTimeout(REFRESH_MS * 1.5);
        assert.equal((await focus()).name, 'kill -9 cart-1', 'the live table waits while the focus is in it');
        await own.keyboard.press('Shift+Tab');
        assert.equal((await focus()).name, 'restart cart-1');
      } finally {
        await visitor.close();
      }
    });

    test('console in Chromium - every page passes axe-core with no serious or critical violation', async () => {
      const nav = page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
      const listed = await Promise.all((await nav.all()).map((link) => link.getAttribute('href')));
      await charts.locator('figure.chart svg[aria-label*="req/s"]').first().waitFor({ timeout: 30_000 });
      await screenshot(charts, 'console-metrics');

      const paths = ['/login', ...listed.filter((href): href is string => !!href)];
      if (orderId) paths.push(`/sagas/${orderId}`);
      if (traceId) paths.push(`/traces/${traceId}`);
      // A page held still: its live stream refused, so axe sees one rendering of it.
      const still = await context.newPage();
      await still.route('**/live/**', (route) => route.abort());
      const found: string[] = [];
      for (const path of paths) {
        await still.goto(path);
        for (const violation of await accessibilityViolations(still)) found.push(`${path}: ${violation}`);
      }
      await still.close();
      assert.deepEqual(found, [], found.join('\n'));
    });
  });
}
