import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkFlagFile, DEFAULT_FLAGS_FILE, flags, stopFlags, useFlagsFile } from '../src/index.ts';

const POLL_MS = 20;
let folder = '';
const warnings: Array<{ problem?: string; message: string }> = [];
const log = {
  info: () => {},
  warn: (details: { problem?: string }, message: string) => void warnings.push({ ...details, message }),
};

function flagSet(overrides: Record<string, unknown> = {}) {
  return {
    $schema: 'https://flagd.dev/schema/v0/flags.json',
    flags: {
      newStep: {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: {
          fractional: [
            ['on', 25],
            ['off', 75],
          ],
        },
      },
      mode: {
        state: 'ENABLED',
        variants: { none: 'none', slow: 'slow', odd: 'not-a-choice' },
        defaultVariant: 'none',
      },
      ...overrides,
    },
  };
}

/** Replaces the file as the console does: written aside, then renamed over it. */
async function replaceFile(file: string, content: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, typeof content === 'string' ? content : JSON.stringify(content));
  await rename(`${file}.tmp`, file);
}

/** Waits until `check` holds, polling faster than the provider does. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`not seen within 5 s: ${what}`);
    await sleep(POLL_MS);
  }
}

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'flags-'));
});
after(async () => {
  await stopFlags();
  await rm(folder, { recursive: true, force: true });
});

test('flags - evaluated from a flagd file: variants, fallbacks for unknown flags, wrong types and choices', async () => {
  const file = join(folder, 'evaluated.json');
  await writeFile(file, JSON.stringify(flagSet()));
  await useFlagsFile(file, { log, pollMs: POLL_MS });
  assert.equal(await flags.string('mode', 'x'), 'none');
  assert.equal(await flags.choice('mode', ['none', 'slow'], 'none'), 'none');
  assert.equal(await flags.boolean('missing', true), true, 'an unknown flag gives the fallback');
  assert.equal(await flags.string('newStep', 'fallback'), 'fallback', 'a flag of another type too');
  await replaceFile(file, flagSet({ mode: { ...flagSet().flags.mode, defaultVariant: 'odd' } }));
  await eventually('the odd variant', async () => (await flags.string('mode', 'x')) === 'not-a-choice');
  assert.equal(await flags.choice('mode', ['none', 'slow'], 'none'), 'none', 'a value not among the choices');
});

test('flags - fractional targeting gives each user the same answer, and about the share to everyone', async () => {
  const file = join(folder, 'fractional.json');
  await writeFile(file, JSON.stringify(flagSet()));
  await useFlagsFile(file, { log, pollMs: POLL_MS });
  const users = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);
  const first = await Promise.all(
    users.map((user) => flags.boolean('newStep', false, { targetingKey: user })),
  );
  const again = await Promise.all(
    users.map((user) => flags.boolean('newStep', false, { targetingKey: user })),
  );
  assert.deepEqual(again, first, 'stable per user');
  const share = first.filter(Boolean).length / users.length;
  assert.ok(share > 0.22 && share < 0.28, `25% expected, got ${(share * 100).toFixed(1)}%`);
  // The rollout grows: everyone who had the new step keeps it.
  const wider = flagSet({
    newStep: {
      ...flagSet().flags.newStep,
      targeting: {
        fractional: [
          ['on', 50],
          ['off', 50],
        ],
      },
    },
  });
  await replaceFile(file, wider);
  await eventually('the wider rollout', async () => {
    const now = await Promise.all(
      users.map((user) => flags.boolean('newStep', false, { targetingKey: user })),
    );
    return now.filter(Boolean).length > users.length * 0.4;
  });
  const widened = await Promise.all(
    users.map((user) => flags.boolean('newStep', false, { targetingKey: user })),
  );
  assert.ok(
    first.every((on, i) => !on || widened[i]),
    'a user in the first 25% stays in at 50%',
  );
});

test('flags - a changed file is picked up while running; a disabled flag gives the fallback', async () => {
  const file = join(folder, 'live.json');
  await writeFile(file, JSON.stringify(flagSet()));
  await useFlagsFile(file, { log, pollMs: POLL_MS });
  assert.equal(await flags.string('mode', 'x'), 'none');
  await replaceFile(file, flagSet({ mode: { ...flagSet().flags.mode, defaultVariant: 'slow' } }));
  await eventually('mode slow', async () => (await flags.string('mode', 'x')) === 'slow');
  await replaceFile(file, flagSet({ mode: { ...flagSet().flags.mode, state: 'DISABLED' } }));
  await eventually(
    'mode disabled',
    async () => (await flags.string('mode', 'code default')) === 'code default',
  );
});

test('flags - a half-written or invalid file keeps the last good flags, with one warning', async () => {
  const file = join(folder, 'broken.json');
  await writeFile(
    file,
    JSON.stringify(flagSet({ mode: { ...flagSet().flags.mode, defaultVariant: 'slow' } })),
  );
  await useFlagsFile(file, { log, pollMs: POLL_MS });
  assert.equal(await flags.string('mode', 'x'), 'slow');
  warnings.length = 0;
  const good = JSON.stringify(flagSet());
  await writeFile(file, good.slice(0, good.length / 2));
  await eventually('a warning', async () => warnings.length > 0);
  await sleep(POLL_MS * 5);
  assert.equal(warnings.length, 1, 'warned once while it stays broken');
  assert.match(warnings[0]?.message ?? '', /last good flags stay/);
  assert.equal(await flags.string('mode', 'x'), 'slow', 'the last good flags stay');
  // Valid JSON that is not a valid flag set: a default variant that is not a variant.
  await replaceFile(file, flagSet({ mode: { ...flagSet().flags.mode, defaultVariant: 'gone' } }));
  await sleep(POLL_MS * 5);
  assert.equal(await flags.string('mode', 'x'), 'slow');
  assert.equal(warnings.length, 1, 'still one warning: the file is still not good');
  await replaceFile(file, good);
  await eventually('the good file', async () => (await flags.string('mode', 'x')) === 'none');
});

test('flags - a missing file at start means the checked-in defaults', async () => {
  await useFlagsFile(join(folder, 'not-there.json'), { log, pollMs: POLL_MS });
  const defaults = JSON.parse(await readFile(DEFAULT_FLAGS_FILE, 'utf8')) as {
    flags: { paymentProcessorFault: { defaultVariant: string } };
  };
  assert.equal(
    await flags.string('paymentProcessorFault', 'x'),
    defaults.flags.paymentProcessorFault.defaultVariant,
  );
});

test('flags - the checked-in defaults are a valid flag set; checkFlagFile says why another is not', () => {
  assert.deepEqual(checkFlagFile(JSON.stringify(flagSet())).sort(), ['mode', 'newStep']);
  assert.ok(checkFlagFile(readFileSync(DEFAULT_FLAGS_FILE, 'utf8')).length >= 3);
  assert.throws(() => checkFlagFile('{"flags":'), SyntaxError);
  assert.throws(() => checkFlagFile(JSON.stringify({ flags: { a: { state: 'ON' } } })), /invalid/);
});
