// A picture of a load report for the README:
//   node scripts/node.mjs tools/loadgen/src/screenshot.ts [REPORT] [PNG] [--height PX]
// REPORT is a report's .html, or its .json (the page is drawn from it again, so a
// change to the page can be seen without another run); default bench/results/load.html.
// PNG defaults to docs/images/load-report.png. Real Chromium through playwright-core:
// Debian's (`apt-get install chromium`), or the one CHROMIUM_PATH names.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { commandLine, numberOption, refuse } from '@platform/devinfra/command-line';
import { chromium } from 'playwright-core';
import { reportPage } from './report-html.ts';
import type { LoadReport } from './report-json.ts';

const USAGE = `usage: node scripts/node.mjs tools/loadgen/src/screenshot.ts [REPORT] [PNG] [--width PX] [--height PX]

A picture of a load report (its .html, or its .json drawn again; default
bench/results/load.html) as PNG (default docs/images/load-report.png), through Chromium.
  --width PX    the page's width (default 1200)
  --height PX   only the top of the page, this high (default: the whole page)`;
const root = join(import.meta.dirname, '..', '..', '..');
const { values, positionals } = commandLine(USAGE, {
  allowPositionals: true,
  options: { height: { type: 'string' }, width: { type: 'string', default: '1200' } },
});
if (positionals.length > 2) refuse('at most a report and a picture to write');
const width = numberOption('--width', values.width, { integer: true, min: 100, max: 10_000 });
// --height: the top of the page only (the verdicts and the first charts, for a README).
const height =
  values.height === undefined
    ? undefined
    : numberOption('--height', values.height, { integer: true, min: 100, max: 100_000 });
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
try {
  const tab = await browser.newPage({
    viewport: { width, height: height ?? 900 },
    deviceScaleFactor: 1,
  });
  await tab.goto(`file://${page}`);
  mkdirSync(dirname(output), { recursive: true });
  await tab.screenshot({ path: output, fullPage: height === undefined });
  process.stdout.write(`${output}\n`);
} finally {
  await browser.close();
}
