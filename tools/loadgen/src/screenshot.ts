// A picture of a load report for the README:
//   node scripts/node.mjs tools/loadgen/src/screenshot.ts [REPORT] [PNG] [--height PX]
// REPORT is a report's .html, or its .json (the page is drawn from it again, so a
// change to the page can be seen without another run); default bench/results/load.html.
// PNG defaults to docs/images/load-report.png. Real Chromium through playwright-core:
// Debian's (`apt-get install chromium`), or the one CHROMIUM_PATH names.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { reportPage } from './report-html.ts';
import type { LoadReport } from './report-json.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { height: { type: 'string' }, width: { type: 'string', default: '1200' } },
});
const input = resolve(positionals[0] ?? join(root, 'bench', 'results', 'load.html'));
const output = resolve(positionals[1] ?? join(root, 'docs', 'images', 'load-report.png'));

let page = input;
if (input.endsWith('.json')) {
  page = join(tmpdir(), `load-report-${process.pid}.html`);
  writeFileSync(page, reportPage(JSON.parse(readFileSync(input, 'utf8')) as LoadReport));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
// --height: the top of the page only (the verdicts and the first charts, for a README).
const height = values.height ? Number(values.height) : undefined;
try {
  const tab = await browser.newPage({
    viewport: { width: Number(values.width), height: height ?? 900 },
    deviceScaleFactor: 1,
  });
  await tab.goto(`file://${page}`);
  mkdirSync(dirname(output), { recursive: true });
  await tab.screenshot({ path: output, fullPage: height === undefined });
  process.stdout.write(`${output}\n`);
} finally {
  await browser.close();
}
