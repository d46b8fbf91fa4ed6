import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { createCardProcessor, PROCESSOR_FAULTS, type ProcessorFault } from '../src/processor/processor.ts';

const SECRET = 'a-test-secret-of-16+';
const USD = { amount: 1_000, currency: 'USD' };
const card = {
  cardNumber: '4242424242424242',
  expMonth: 12,
  expYear: new Date().getUTCFullYear() + 3,
  cvc: '1',
};
const faultFlag = (fault: ProcessorFault) => ({
  paymentProcessorFault: flag(Object.fromEntries(PROCESSOR_FAULTS.map((f) => [f, f])), fault),
});
let flags: TestFlags;
const switchTo = (fault: ProcessorFault) => flags.set(faultFlag(fault));

before(async () => {
  flags = await testFlags(faultFlag('none'));
});
after(() => flags.close());

test('processor fault flag - decline refuses every authorization, none approves again, a repeated key keeps its answer', async () => {
  const processor = createCardProcessor({ secret: SECRET, latencyMs: 0, failureRate: 0 });
  const token = processor.tokenize(card).id;
  assert.equal((await processor.authorize(token, USD, 'k1')).outcome, 'approved');
  await switchTo('decline');
  const declined = await processor.authorize(token, USD, 'k2');
  assert.deepEqual(declined, {
    outcome: 'declined',
    code: 'card_declined',
    card: { brand: 'visa', last4: '4242' },
  });
  assert.equal(
    (await processor.capture('p1', USD, 'c1')).outcome,
    'done',
    'only authorizations are declined',
  );
  await switchTo('none');
  assert.equal((await processor.authorize(token, USD, 'k3')).outcome, 'approved');
  assert.equal(
    (await processor.authorize(token, USD, 'k2')).outcome,
    'declined',
    'the processor remembers k2',
  );
});

test('processor fault flag - unreachable fails every call and remembers none; slow adds its delay to each call', async () => {
  const processor = createCardProcessor({ secret: SECRET, latencyMs: 0, failureRate: 0, slowFaultMs: 300 });
  const token = processor.tokenize(card).id;
  await switchTo('unreachable');
  assert.deepEqual(await processor.authorize(token, USD, 'u1'), { outcome: 'processing_error' });
  assert.deepEqual(await processor.refund('p1', USD, 'r1'), { outcome: 'processing_error' });
  await switchTo('slow');
  const started = performance.now();
  assert.equal((await processor.authorize(token, USD, 'u1')).outcome, 'approved', 'nothing was remembered');
  assert.ok(performance.now() - started >= 290, 'slow');
  await switchTo('none');
  const quick = performance.now();
  await processor.capture('p1', USD, 'c2');
  assert.ok(performance.now() - quick < 200, 'quick again');
});
