import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_MIX, JourneyPicker, loadMix, MixError, parseMix, ROUTE_CLASSES } from '../src/mix.ts';
import { Random } from '../src/random.ts';

const journey = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
  journeys: [{ name: 'j', weight: 1, steps, ...extra }],
});

test('mix - the default storefront mix loads, and uses every route class', () => {
  const mix = loadMix(DEFAULT_MIX);
  assert.equal(mix.name, 'storefront');
  const used = new Set(mix.journeys.flatMap((j) => j.steps.map((step) => step.do)));
  assert.deepEqual([...used].sort(), [...ROUTE_CLASSES].sort());
  assert.ok(
    mix.journeys.some((j) => !j.signedIn),
    'someone only browses',
  );
});

test('mix - pages of a category become one step each', () => {
  const mix = parseMix(journey([{ do: 'browse-category', pages: 3 }, { do: 'product' }]));
  const steps = mix.journeys[0]?.steps ?? [];
  assert.deepEqual(
    steps.map((step) => (step.do === 'browse-category' ? step.page : step.do)),
    [1, 2, 3, 'product'],
  );
});

test('mix - a journey is signed in when any step needs an account', () => {
  const mix = parseMix({
    journeys: [
      { name: 'looks', weight: 3, steps: [{ do: 'search' }] },
      { name: 'buys', weight: 1, steps: [{ do: 'search' }, { do: 'product' }, { do: 'cart-add' }] },
    ],
  });
  assert.deepEqual(
    mix.journeys.map((j) => j.signedIn),
    [false, true],
  );
});

for (const [label, input, message] of [
  ['not an object', [], /the mix must be an object/],
  ['no journeys', { journeys: [] }, /at least one journey/],
  ['unknown step', journey([{ do: 'checkot' }]), /journey "j", step 1: unknown step "checkot".*checkout/],
  ['unknown field', journey([{ do: 'search', pagse: 2 }]), /step 1: unknown field "pagse"/],
  ['field of another step', journey([{ do: 'search', card: 'approve' }]), /unknown field "card"/],
  [
    'zero weight',
    { journeys: [{ name: 'j', weight: 0, steps: [{ do: 'search' }] }] },
    /weight must be a number above 0/,
  ],
  [
    'two of a name',
    {
      journeys: [
        { name: 'j', weight: 1, steps: [{ do: 'search' }] },
        { name: 'j', weight: 1, steps: [{ do: 'search' }] },
      ],
    },
    /two journeys named "j"/,
  ],
  ['no steps', journey([]), /journey "j": steps must be a non-empty list/],
  [
    'product from nothing seen',
    journey([{ do: 'product' }]),
    /step 1: a product "seen" needs a browse-category or search before it/,
  ],
  ['availability of no product', journey([{ do: 'availability' }]), /needs a product step before it/],
  [
    'checkout of an empty cart',
    journey([{ do: 'sign-in' }, { do: 'checkout' }]),
    /step 2: checkout needs a cart-add before it/,
  ],
  ['status of no order', journey([{ do: 'order-status' }]), /order-status needs a checkout before it/],
  [
    'bad card',
    journey([{ do: 'product', from: 'stocked' }, { do: 'cart-add' }, { do: 'checkout', card: 'gold' }]),
    /card must be one of approve, decline/,
  ],
  [
    'status not an order status',
    journey([
      { do: 'product', from: 'stocked' },
      { do: 'cart-add' },
      { do: 'checkout' },
      { do: 'order-status', expect: ['SHIPPED', 'LOST'] },
    ]),
    /expect: "LOST" is not an order status/,
  ],
  [
    'expecting what it stops before',
    journey([
      { do: 'product', from: 'stocked' },
      { do: 'cart-add' },
      { do: 'checkout' },
      { do: 'order-status', until: ['CONFIRMED'], expect: ['DELIVERED'] },
    ]),
    /expect: "DELIVERED" is not in until/,
  ],
  [
    'status code out of range',
    journey([{ do: 'search', expected: [1000] }]),
    /expected must be a list of HTTP statuses/,
  ],
  ['negative pause', journey([{ do: 'search', pauseMs: -1 }]), /pauseMs must be an integer from 0/],
  ['too many pages', journey([{ do: 'browse-category', pages: 0 }]), /pages must be an integer from 1/],
] as const) {
  test(`mix - a bad mix is refused with a clear message: ${label}`, () => {
    assert.throws(
      () => parseMix(input),
      (error: Error) => {
        assert.ok(error instanceof MixError, error.message);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}

test('mix - a file that is not JSON, or missing, names the file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mix-'));
  const file = join(folder, 'broken.json');
  writeFileSync(file, '{ "journeys": [ ');
  assert.throws(
    () => loadMix(file),
    (error: Error) => error instanceof MixError && error.message.includes(file),
  );
  assert.throws(() => loadMix(join(folder, 'none.json')), /none\.json/);
});

test('mix - journeys are picked by weight, and anonymous ones only when asked', () => {
  const mix = parseMix({
    journeys: [
      { name: 'often', weight: 9, steps: [{ do: 'search' }] },
      { name: 'rarely', weight: 1, steps: [{ do: 'sign-in' }] },
    ],
  });
  const picker = new JourneyPicker(mix, new Random(7));
  const counts = { often: 0, rarely: 0 };
  for (let n = 0; n < 10_000; n++) counts[picker.pick().name as keyof typeof counts]++;
  assert.ok(Math.abs(counts.rarely - 1_000) < 150, `${counts.rarely} of 10 000`);
  for (let n = 0; n < 100; n++) assert.equal(picker.pickAnonymous()?.name, 'often');
  const onlySignedIn = new JourneyPicker(parseMix(journey([{ do: 'sign-in' }])), new Random(1));
  assert.equal(onlySignedIn.pickAnonymous(), undefined);
});
