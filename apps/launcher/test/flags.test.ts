import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { prepareFlagsFile } from '../src/flags.ts';

let folder = '';
let defaults = '';
const flagSet = (flags: Record<string, unknown>) => ({
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags,
});
const onOff = (defaultVariant: string) => ({
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant,
});

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'launcher-flags-'));
  defaults = join(folder, 'defaults.json');
  await writeFile(defaults, JSON.stringify(flagSet({ a: onOff('off'), b: onOff('off') })));
});
after(() => rm(folder, { recursive: true, force: true }));

const live = async (dataDir: string) => JSON.parse(await readFile(join(dataDir, 'flags.json'), 'utf8'));

test('launcher flags - the first start copies the defaults into the data folder', async () => {
  const dataDir = await mkdtemp(join(folder, 'first-'));
  const prepared = prepareFlagsFile(dataDir, defaults);
  assert.deepEqual(prepared, { file: join(dataDir, 'flags.json'), added: ['a', 'b'] });
  assert.deepEqual(await live(dataDir), JSON.parse(await readFile(defaults, 'utf8')));
});

test("launcher flags - a later start keeps the operator's choices and adds flags new in the defaults", async () => {
  const dataDir = await mkdtemp(join(folder, 'later-'));
  await writeFile(join(dataDir, 'flags.json'), JSON.stringify(flagSet({ a: onOff('on') })));
  assert.deepEqual(prepareFlagsFile(dataDir, defaults).added, ['b']);
  assert.deepEqual((await live(dataDir)).flags, { a: onOff('on'), b: onOff('off') });
  assert.deepEqual(prepareFlagsFile(dataDir, defaults).added, [], 'nothing more to add');
});

test('launcher flags - a live file that is not JSON is left for someone to repair, and said so', async () => {
  const dataDir = await mkdtemp(join(folder, 'broken-'));
  await writeFile(join(dataDir, 'flags.json'), '{"flags": {');
  const prepared = prepareFlagsFile(dataDir, defaults);
  assert.match(prepared.problem ?? '', /not valid JSON/);
  assert.equal(await readFile(join(dataDir, 'flags.json'), 'utf8'), '{"flags": {');
});
