// What every browser suite shares (the console's now, the storefront's next): Debian's
// Chromium driven by playwright-core, an accessibility check with axe-core, and
// screenshots for the README, taken by the tests so they show what the tests saw.
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { requireInfra } from '@platform/testkit';
import type { AxeResults } from 'axe-core';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { root } from '../e2e/platform.ts';

/** Debian's package (`apt-get install chromium`): playwright-core never downloads a browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** What a person's screen is taken to be: the screenshots in the README are this size. */
export const VIEWPORT = { width: 1280, height: 800 };

/**
 * Why the browser suites cannot run here (no Chromium), or undefined when they can.
 * Under REQUIRE_INFRA=1 (`.ci/run`) a missing Chromium is an error, not a reason to skip.
 */
export function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`;
    if (requireInfra) throw new Error(`REQUIRE_INFRA=1 but ${reason}`);
    return reason;
  }
}

/** Headless Chromium; the flags keep it from reaching out to anything but the pages it is sent to. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is and returns its serious and critical violations,
 * one line each with the elements at fault (empty: nothing blocks a person). The script
 * is evaluated through the DevTools protocol, which the page's Content-Security-Policy
 * does not govern, so the page is checked under its real policy.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: object): Promise<AxeResults> } }).axe;
    const results = await axe.run({ resultTypes: ['violations'] });
    if (results.passes.length === 0) throw new Error('axe-core checked nothing on this page');
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => BLOCKING.has(v.impact))
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.targets.join(', ')}`);
}

/**
 * What has the keyboard focus, named by its aria-label, else its id, else its text; and
 * whether it is drawn focused (`:focus-visible` with an outline a person can see).
 */
export function focused(page: Page): Promise<{ name: string; ring: boolean }> {
  return page.evaluate(`(() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
      name: (element.getAttribute('aria-label') || element.id || element.textContent).trim(),
      ring: element.matches(':focus-visible') && style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
    };
  })()`);
}

/**
 * Saves what the page shows now as <name>.png: in .test-data/screenshots, or with
 * UPDATE_SCREENSHOTS=1 in docs/screenshots for the README (so a test run leaves the
 * work tree as it was; look at them before committing them). Scrolled first so that
 * `top` (a heading, say) is at the top, when what matters is further down.
 */
export async function screenshot(page: Page, name: string, top?: Locator): Promise<void> {
  const folder =
    process.env.UPDATE_SCREENSHOTS === '1'
      ? join(root, 'docs', 'screenshots')
      : join(root, '.test-data', 'screenshots');
  await mkdir(folder, { recursive: true });
  await top?.evaluate((element) => (element as { scrollIntoView(): void }).scrollIntoView());
  await page.screenshot({ path: join(folder, `${name}.png`) });
}
