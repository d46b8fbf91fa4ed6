import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAnswer, followOrder } from '../src/classify.ts';
import type { OrderStatus, Step } from '../src/mix.ts';

test('classify - each route class succeeds with its own status', () => {
  assert.equal(classifyAnswer('product', 200, undefined, []), undefined);
  assert.equal(classifyAnswer('checkout', 202, undefined, []), undefined);
  assert.equal(
    classifyAnswer('checkout', 200, undefined, []),
    'unexpected-status',
    'a placement answers 202',
  );
  assert.equal(classifyAnswer('cart-add', 200, undefined, []), undefined);
});

test('classify - 429, 5xx, timeouts and lost connections are errors', () => {
  assert.equal(classifyAnswer('search', 429, undefined, []), 'rate-limited');
  assert.equal(classifyAnswer('search', 500, undefined, []), 'server-error');
  assert.equal(classifyAnswer('checkout', 503, undefined, []), 'server-error');
  assert.equal(classifyAnswer('checkout', 504, undefined, []), 'server-error');
  assert.equal(classifyAnswer('search', 0, 'UND_ERR_HEADERS_TIMEOUT', []), 'timeout');
  assert.equal(classifyAnswer('search', 0, 'UND_ERR_BODY_TIMEOUT', []), 'timeout');
  assert.equal(classifyAnswer('search', 0, 'ECONNREFUSED', []), 'connection');
  assert.equal(classifyAnswer('search', 0, 'UND_ERR_SOCKET', []), 'connection');
});

test('classify - an unexpected 4xx is an error (a bug in the mix or the platform)', () => {
  assert.equal(classifyAnswer('checkout', 409, undefined, []), 'client-error');
  assert.equal(classifyAnswer('product', 404, undefined, []), 'client-error');
  assert.equal(classifyAnswer('cart-view', 401, undefined, []), 'client-error');
});

test('classify - a status the step declares expected is not an error, even a 429 or a 5xx', () => {
  assert.equal(classifyAnswer('checkout', 409, undefined, [409]), undefined);
  assert.equal(classifyAnswer('search', 429, undefined, [429]), undefined);
  assert.equal(classifyAnswer('search', 503, undefined, [503]), undefined);
  assert.equal(
    classifyAnswer('search', 0, 'UND_ERR_HEADERS_TIMEOUT', [504]),
    'timeout',
    'no status, nothing to expect',
  );
});

const poll = (expect: OrderStatus[]): Step & { do: 'order-status' } => ({
  do: 'order-status',
  pauseMs: 0,
  expected: [],
  everyMs: 500,
  until: ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'],
  expect,
  giveUpAfterMs: 10_000,
});

test('classify - an order on its way is polled again', () => {
  assert.deepEqual(followOrder(poll(['CONFIRMED']), 'PENDING', 1_000), { state: 'waiting' });
  assert.deepEqual(followOrder(poll(['CONFIRMED']), 'PAYMENT_AUTHORIZED', 9_999), { state: 'waiting' });
});

test('classify - a declined or sold-out order that ends REJECTED is an expected outcome', () => {
  assert.deepEqual(followOrder(poll(['REJECTED']), 'REJECTED', 800), { state: 'ended', status: 'REJECTED' });
  assert.deepEqual(followOrder(poll(['CONFIRMED', 'SHIPPED']), 'SHIPPED', 800), {
    state: 'ended',
    status: 'SHIPPED',
  });
});

test('classify - an approved order that ends REJECTED or CANCELLED is an error', () => {
  assert.deepEqual(followOrder(poll(['CONFIRMED']), 'REJECTED', 800), {
    state: 'ended',
    status: 'REJECTED',
    error: 'unexpected-outcome',
  });
  assert.deepEqual(followOrder(poll(['REJECTED']), 'CONFIRMED', 800), {
    state: 'ended',
    status: 'CONFIRMED',
    error: 'unexpected-outcome',
  });
});

test('classify - an order still unfinished when the step gives up is an error', () => {
  assert.deepEqual(followOrder(poll(['CONFIRMED']), 'PENDING', 10_000), {
    state: 'ended',
    status: 'PENDING',
    error: 'unfinished-order',
  });
});
