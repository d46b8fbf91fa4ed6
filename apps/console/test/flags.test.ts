import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkFlagFile, DEFAULT_FLAGS_FILE } from '@platform/chassis';
import { markupOf } from '@platform/web';
import { FlagStore } from '../src/flags.ts';
import { flagAudit, flagsTable } from '../src/pages/flags.ts';

let folder = '';
let store: FlagStore;
const ADA = 'ada@platform.local';

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'console-flags-'));
  await copyFile(DEFAULT_FLAGS_FILE, join(folder, 'flags.json'));
  store = new FlagStore(join(folder, 'flags.json'));
});
after(() => rm(folder, { recursive: true, force: true }));

const liveFile = async () =>
  JSON.parse(await readFile(store.file, 'utf8')) as {
    flags: Record<string, { state: string; defaultVariant: string; targeting?: unknown }>;
  };

test('console flags - every flag with its state, variants, default and whether it has targeting', async () => {
  const flags = await store.flags();
  const fault = flags.find((f) => f.key === 'paymentProcessorFault');
  assert.deepEqual(
    { ...fault, description: typeof fault?.description },
    {
      key: 'paymentProcessorFault',
      state: 'ENABLED',
      variants: { none: 'none', slow: 'slow', decline: 'decline', unreachable: 'unreachable' },
      defaultVariant: 'none',
      targeting: false,
      description: 'string',
    },
  );
  assert.equal(flags.find((f) => f.key === 'checkoutAddressCheck')?.targeting, true);
});

test('console flags - a flip rewrites the file whole and valid, and appends who, what and when to the audit log', async () => {
  const notice = await store.change(ADA, 'paymentProcessorFault', {
    defaultVariant: 'decline',
    state: 'ENABLED',
  });
  assert.equal(notice, 'paymentProcessorFault: default variant none → decline');
  const written = await readFile(store.file, 'utf8');
  assert.ok(checkFlagFile(written).includes('paymentProcessorFault'), 'flagd reads it');
  assert.equal((await liveFile()).flags.paymentProcessorFault?.defaultVariant, 'decline');
  assert.ok(
    (await liveFile()).flags.checkoutAddressCheck?.targeting,
    'the other flags are kept as they were',
  );
  await store.change('bob@platform.local', 'orderDetailsDegraded', {
    defaultVariant: 'on',
    state: 'DISABLED',
  });
  const audit = await store.audit();
  assert.deepEqual(
    audit.map(({ who, flag, what, from, to }) => [who, flag, what, from, to]),
    [
      ['bob@platform.local', 'orderDetailsDegraded', 'state', 'ENABLED', 'DISABLED'],
      ['bob@platform.local', 'orderDetailsDegraded', 'defaultVariant', 'off', 'on'],
      [ADA, 'paymentProcessorFault', 'defaultVariant', 'none', 'decline'],
    ],
    'newest first',
  );
  assert.ok(audit.every((entry) => Date.now() - Date.parse(entry.at) < 60_000));
  const lines = (await readFile(store.auditFile, 'utf8')).trim().split('\n');
  assert.equal(lines.length, 3, 'one line per change, appended');
});

test('console flags - unknown flags, variants and states are refused with a clear message, and nothing is written', async () => {
  const before = await readFile(store.file, 'utf8');
  const audited = (await store.audit()).length;
  assert.equal(
    await store.change(ADA, 'noSuchFlag', { defaultVariant: 'on' }),
    'No flag "noSuchFlag": nothing changed',
  );
  assert.equal(
    await store.change(ADA, 'paymentProcessorFault', { defaultVariant: 'explode', state: 'ENABLED' }),
    'Flag paymentProcessorFault has no variant "explode" (its variants: none, slow, decline, unreachable): nothing changed',
  );
  assert.equal(
    await store.change(ADA, 'paymentProcessorFault', { defaultVariant: 'none', state: 'ON' }),
    'A flag\'s state is ENABLED or DISABLED, not "ON": nothing changed',
  );
  assert.equal(await store.change(ADA, '__proto__', {}), 'No flag "__proto__": nothing changed');
  assert.equal(
    await store.change(ADA, 'paymentProcessorFault', { defaultVariant: 'decline', state: 'ENABLED' }),
    'No change to paymentProcessorFault',
  );
  assert.equal(await readFile(store.file, 'utf8'), before);
  assert.equal((await store.audit()).length, audited, 'nothing audited');
});

test('console flags - changes made together are applied one after the other, none lost', async () => {
  await Promise.all([
    store.change(ADA, 'paymentProcessorFault', { defaultVariant: 'slow', state: 'ENABLED' }),
    store.change(ADA, 'checkoutAddressCheck', { defaultVariant: 'on', state: 'ENABLED' }),
  ]);
  const { flags } = await liveFile();
  assert.equal(flags.paymentProcessorFault?.defaultVariant, 'slow');
  assert.equal(flags.checkoutAddressCheck?.defaultVariant, 'on');
});

test('console flags page - a form per flag with its variants, and the audit newest first; all of it text', async () => {
  const page = markupOf(flagsTable(await store.flags(), store.file));
  assert.match(page, /<form method="post" action="\/flags\/paymentProcessorFault"/);
  assert.match(page, /<option value="slow" selected>slow<\/option>/);
  assert.match(page, /<label for="flag-paymentProcessorFault-variant">Default variant<\/label>/);
  assert.match(page, /<button type="submit">Save checkoutAddressCheck<\/button>/);
  const hostile = markupOf(
    flagAudit([
      { at: '2026-12-03T10:00:00.000Z', who: '<b>x</b>', flag: 'f', what: 'state', from: 'A', to: 'B' },
    ]),
  );
  assert.match(hostile, /&lt;b&gt;x&lt;\/b&gt;/);
  assert.match(hostile, /<time datetime="2026-12-03T10:00:00.000Z">2026-12-03 10:00:00<\/time>/);
  assert.match(markupOf(flagAudit([])), /No flag has been changed/);
  await writeFile(
    store.file,
    JSON.stringify({
      flags: { '"><script>': { state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a' } },
    }),
  );
  const escaped = markupOf(flagsTable(await store.flags(), store.file));
  assert.doesNotMatch(escaped, /<script>/);
});
