// Checkout's new step behind the `checkoutAddressCheck` flag: the rule, and placement
// with the flag on for one user and off for another.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestFlags, testFlags } from '@platform/testkit';
import { postalCodeProblem } from '../src/domain/address.ts';
import { ADDRESS, CARD, type Harness, startHarness } from './harness.ts';

test('address check - a postal code must have its country shape; countries not listed pass', () => {
  const wellFormed: Array<[string, string]> = [
    ['94107', 'US'],
    ['94107-1234', 'US'],
    ['N1 9GU', 'GB'],
    ['sw1a1aa', 'GB'],
    ['10115', 'DE'],
    ['1012 AB', 'NL'],
    ['K1A 0B1', 'CA'],
    ['100-0001', 'JP'],
    ['anything', 'AQ'],
  ];
  for (const [postalCode, country] of wellFormed) {
    assert.equal(postalCodeProblem({ postalCode, country }), undefined, `${postalCode} ${country}`);
  }
  assert.equal(postalCodeProblem({ postalCode: '9410', country: 'US' }), '9410 is not a postal code of US');
  assert.ok(postalCodeProblem({ postalCode: '75 001', country: 'FR' }));
  assert.ok(postalCodeProblem({ postalCode: 'N1', country: 'GB' }));
});

const CHECKED = crypto.randomUUID();
const UNCHECKED = crypto.randomUUID();
let harness: Harness;
let flags: TestFlags;

before(async () => {
  // The rollout as an operator could narrow it: one user has the new step.
  flags = await testFlags({
    checkoutAddressCheck: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ in: [{ var: 'targetingKey' }, [CHECKED]] }, 'on', 'off'] },
    },
  });
  // Named to the service as the launcher names it, not only set for the process.
  harness = await startHarness('order_address_check', { FLAGS_FILE: flags.file });
});
after(async () => {
  await harness?.close();
  await flags.close();
});

test('address check - a user with the new step is refused a malformed postal code before anything is priced; others are not', async () => {
  const [product] = await harness.products(1_000);
  const body = {
    items: [{ productId: product?.id, quantity: 1 }],
    shippingAddress: { ...ADDRESS, postalCode: 'not a code' },
    payment: CARD,
  };
  const refused = await harness.place(body, { token: await harness.token(CHECKED) });
  assert.equal(refused.status, 422);
  assert.deepEqual(
    [(refused.body as { code: string }).code, (refused.body as { field: string }).field],
    ['ADDRESS_INVALID', 'shippingAddress.postalCode'],
  );
  assert.match((refused.body as { detail: string }).detail, /not a code is not a postal code of GB/);
  const placed = await harness.place(body, { token: await harness.token(UNCHECKED) });
  assert.equal(placed.status, 202, 'the old checkout, without the step');
  const good = await harness.place(
    { ...body, shippingAddress: ADDRESS },
    { token: await harness.token(CHECKED) },
  );
  assert.equal(good.status, 202, 'a well-formed address passes the step');
  const orders = await harness.sql<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  assert.equal(orders[0]?.n, 2, 'the refused order was never recorded');
});
